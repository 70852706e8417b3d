import Analysis
import AnalysisCore
import Artifacts
import Foundation
import RunLedger
import TestSupport
import Testing
import ToolContract

/// `monitor serve` on 127.0.0.1 against real senders: the OpenTelemetry Python SDK's OTLP/HTTP exporter
/// (`Tests/Senders/otel-agent-traces`), an independent protobuf encoder (`Tests/Senders/post-otlp-protobuf`),
/// `agent-sim send` and curl; then the looks that read what it stored (`monitor analyze --intake`).
@Suite("monitor serve: OTLP/HTTP into the ledger", .tags(.services), .notInFastPath, .serialized)
struct IntakeServiceTests {
    static let policy = "agent: {name: support-agent}\nrollout:\n  steps: [{weight: 50}]\n"

    /// A `monitor serve` on a free port of 127.0.0.1, stopped (SIGKILL) when the value goes away.
    final class Server {
        let port: Int
        let running: RunningTool
        var base: String { "http://127.0.0.1:\(port)" }

        init(
            _ directory: TemporaryDirectory, port: Int? = nil, ledger: String = "ledger.sqlite",
            arguments: [String] = []
        ) throws {
            self.port = try port ?? Services.freePort()
            running = try Tool.start(
                "monitor",
                ["serve", "--listen", "127.0.0.1:\(self.port)", "--ledger", ledger, "--policy", "canary.yaml"]
                    + arguments, in: directory.url)
            #expect(
                Services.waitForPort(self.port, timeout: 30), "monitor serve did not listen: \(running.stderrSoFar)")
        }

        /// SIGTERM, and the exit (its status and output) once the server has drained.
        func terminate() -> ToolResult {
            running.process.terminate()
            running.process.waitUntilExit()
            return running.finish()
        }

        func kill() {
            Foundation.kill(running.process.processIdentifier, SIGKILL)
            running.process.waitUntilExit()
        }

        deinit {
            if running.process.isRunning { kill() }
        }
    }

    /// A request with curl: its status, headers and body.
    static func post(
        _ url: String, body: Data, headers: [String] = [], in directory: TemporaryDirectory
    ) throws -> (status: Int, headers: String, body: Data) {
        let name = "body-\(UUID().uuidString)"
        try body.write(to: URL(fileURLWithPath: directory.path(name)))
        let result = try runCommand(
            try ExternalTool.curl.require(),
            ["-s", "-o", directory.path("\(name).out"), "-D", directory.path("\(name).headers"), "-w", "%{http_code}"]
                + headers.flatMap { ["-H", $0] } + ["--data-binary", "@\(directory.path(name))", url])
        let answer = (try? Data(contentsOf: URL(fileURLWithPath: directory.path("\(name).out")))) ?? Data()
        let head = (try? String(contentsOfFile: directory.path("\(name).headers"), encoding: .utf8)) ?? ""
        return (Int(result.output.suffix(3)) ?? 0, head, answer)
    }

    /// A `sqlite3` holding the ledger's write lock until `ROLLBACK;` is written to its input.
    static func holdLedger(_ directory: TemporaryDirectory) throws -> (Process, Pipe) {
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: try ExternalTool.sqlite3.require())
        holder.arguments = [directory.path("ledger.sqlite")]
        let input = Pipe()
        holder.standardInput = input
        holder.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try holder.run()
        input.fileHandleForWriting.write(Data("BEGIN IMMEDIATE;\nINSERT INTO grdb_migrations VALUES ('held');\n".utf8))
        Thread.sleep(forTimeInterval: 0.5)
        return (holder, input)
    }

    /// curl posting `file` to `url` as JSON in the background; its status code goes to `output`.
    static func startPost(_ url: String, file: String, output: Any) throws -> Process {
        let sender = Process()
        sender.executableURL = URL(fileURLWithPath: try ExternalTool.curl.require())
        sender.arguments = [
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Content-Type: application/json", "--data-binary",
            "@\(file)", url,
        ]
        sender.standardOutput = output
        try sender.run()
        return sender
    }

    /// One number the ledger's `sqlite3` answers.
    static func scalar(_ sql: String, in directory: TemporaryDirectory) throws -> Int {
        let result = try runCommand(try ExternalTool.sqlite3.require(), [directory.path("ledger.sqlite"), sql])
        #expect(result.status == 0, "\(result.output)")
        return Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    static func get(_ url: String) throws -> (status: Int, body: String) {
        let result = try runCommand(try ExternalTool.curl.require(), ["-s", "-w", "\n%{http_code}", url])
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// Sends `traces` agent tasks with the OpenTelemetry Python SDK; returns what it acknowledged.
    static func sendWithSDK(
        to server: String, traces: Int, extra: [String] = [], in directory: TemporaryDirectory
    ) throws -> [String: Any] {
        let python = try ExternalTool.pythonEnvironment.require()
        let result = try runCommand(
            python,
            [Repository.path("Tests/Senders/otel-agent-traces"), "--endpoint", server, "--traces", "\(traces)"]
                + extra)
        #expect(result.status == 0, "\(result.output)")
        let json = result.output.split(separator: "\n").last.map(String.init) ?? "{}"
        return (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]) ?? [:]
    }

    /// What the SDK acknowledged of `version`: tasks, errors, rogue tasks.
    static func acknowledged(_ summary: [String: Any], _ version: String) -> (tasks: Int, errors: Int, rogue: Int) {
        let entry = (summary["versions"] as? [String: Any])?[version] as? [String: Int] ?? [:]
        return (entry["tasks"] ?? 0, entry["errors"] ?? 0, entry["rogue"] ?? 0)
    }

    /// A look of the run over what the server stored.
    static func intakeLook(_ runId: String, in directory: TemporaryDirectory, output: String = "analysis.json")
        throws -> AnalysisArtifact
    {
        let look = try Tool.run(
            "monitor",
            [
                "analyze", "--run", runId, "--intake", "--policy", "canary.yaml", "--ledger", "ledger.sqlite",
                "--output", output,
            ], environment: LoopFixtures.environment, in: directory.url)
        #expect(look.status <= 1, "\(look.stderr)")
        return try LoopFixtures.analysis(directory.path(output))
    }

    static func count(_ artifact: AnalysisArtifact, _ metric: String, candidate: Bool) -> Int {
        guard let result = artifact.judgement.metrics.first(where: { $0.name == metric }) else { return -1 }
        let arm = candidate ? result.candidate : result.baseline
        return Int(((arm.value ?? 0) * Double(arm.n)).rounded())
    }

    @Test(
        "the SDK's traces, split over requests and gzipped: a look counts what was acknowledged; prune; SIGTERM",
        .requires(.pythonEnvironment, .curl, .promtool, .sqlite3))
    func sdkTracesAreCounted() throws {
        let directory = try TemporaryDirectory()
        let runId = try LoopFixtures.startedRun(in: directory, policy: Self.policy)
        let server = try Server(directory)
        // Batches of 7 spans: a trace's three spans often span two requests, and the root comes last.
        let summary = try Self.sendWithSDK(to: server.base, traces: 300, extra: ["--gzip"], in: directory)
        #expect(summary["failed_batches"] as? Int == 0)
        let candidate = Self.acknowledged(summary, "1.5.0")
        let baseline = Self.acknowledged(summary, "1.4.0")
        #expect(candidate.tasks + baseline.tasks == 300)
        #expect(candidate.errors > 0 && candidate.rogue > 0)

        let look = try Self.intakeLook(runId, in: directory)
        #expect(look.judgement.sample.candidateTasks == candidate.tasks)
        #expect(look.judgement.sample.baselineTasks == baseline.tasks)
        #expect(Self.count(look, "error_rate", candidate: true) == candidate.errors)
        #expect(Self.count(look, "rogue_action_rate", candidate: true) == candidate.rogue)
        #expect(Self.count(look, "rogue_action_rate", candidate: false) == 0)
        #expect(look.ingestion.sources.map(\.format) == ["intake"])

        // Live: the tasks per version as committed.
        let metrics = try Self.get("\(server.base)/metrics")
        #expect(metrics.status == 200)
        #expect(
            metrics.body.contains(
                "agent_canary_live_tasks_total{agent=\"support-agent\",version=\"1.5.0\"} \(candidate.tasks)"))
        #expect(metrics.body.contains("agent_canary_intake_spans_total{result=\"accepted\",reason=\"\"} 900"))
        // A rogue call counts for its task's version even when it came in another request than the root.
        #expect(
            metrics.body.contains(
                "agent_canary_live_rogue_actions_total{agent=\"support-agent\",version=\"1.5.0\"} \(candidate.rogue)"))
        #expect(try Self.get("\(server.base)/readyz").status == 200)
        // promtool accepts the exposition as Prometheus would scrape it.
        let scraped = try directory.write("metrics.prom", metrics.body + "\n")
        let checked = try Validator.check("prometheus-text", [scraped])
        #expect(checked.status == 0, "\(checked.output)")

        // A second look has nothing new: the cursor moved past what the first read.
        let again = try Self.intakeLook(runId, in: directory, output: "again.json")
        #expect(again.ingestion.newEvents == 0)
        #expect(again.judgement.sample.candidateTasks == candidate.tasks)

        // No span of a complete trace is kept: the ledger holds the tasks' events and one summary per trace.
        #expect(try Self.scalar("SELECT count(*) FROM intake_pending", in: directory) == 0)
        #expect(try Self.scalar("SELECT count(*) FROM intake_traces", in: directory) == 300)

        // Retention during the canary: the events the run's looks read go, the trace summaries stay (a late tool
        // call must find its task), and the next look counts what no look had read yet.
        let more = try Self.sendWithSDK(to: server.base, traces: 30, extra: ["--seed", "2"], in: directory)
        #expect(more["failed_batches"] as? Int == 0)
        Thread.sleep(forTimeInterval: 1.2)
        func prune() throws -> String {
            let pruned = try Tool.run(
                "monitor", ["ledger", "prune", "--older-than", "1s", "--ledger", "ledger.sqlite"], in: directory.url)
            #expect(pruned.status == 0, "\(pruned.stderr)")
            return pruned.stdout
        }
        let read = try Self.scalar(
            "SELECT count(*) FROM intake_records WHERE id <= (SELECT \"offset\" FROM telemetry_sources "
                + "WHERE source = 'intake')", in: directory)
        #expect(read >= 300)
        #expect(try prune().hasPrefix("pruned \(read) intake records"))
        let later = try Self.intakeLook(runId, in: directory, output: "later.json")
        #expect(later.judgement.sample.candidateTasks + later.judgement.sample.baselineTasks == 330)
        // Once the run has ended, its agent's records go: the rest of its events and every trace summary.
        let ended = try runCommand(
            try ExternalTool.sqlite3.require(),
            [directory.path("ledger.sqlite"), "UPDATE runs SET status = 'promoted' WHERE id = '\(runId)'"])
        #expect(ended.status == 0, "\(ended.output)")
        let rest = try Self.scalar(
            "SELECT (SELECT count(*) FROM intake_records) + (SELECT count(*) FROM intake_traces)", in: directory)
        #expect(rest >= 330)
        #expect(try prune().hasPrefix("pruned \(rest) intake records"))

        let stopped = server.terminate()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("every acknowledged request is committed"))
    }

    @Test(
        "SIGKILL and restart while the SDK retries: nothing acknowledged is lost, nothing counted twice",
        .requires(.pythonEnvironment))
    func killAndRestart() throws {
        let directory = try TemporaryDirectory()
        let runId = try LoopFixtures.startedRun(in: directory, policy: Self.policy)
        let port = try Services.freePort()
        var server: Server? = try Server(directory, port: port)
        let python = try ExternalTool.pythonEnvironment.require()
        let sender = Process()
        sender.executableURL = URL(fileURLWithPath: python)
        sender.arguments = [
            Repository.path("Tests/Senders/otel-agent-traces"), "--endpoint", "http://127.0.0.1:\(port)", "--traces",
            "600", "--pause", "0.004", "--timeout", "60",
        ]
        let output = Pipe()
        sender.standardOutput = output
        sender.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try sender.run()
        Thread.sleep(forTimeInterval: 1.0)
        server?.kill()
        server = nil
        Thread.sleep(forTimeInterval: 1.0)
        server = try Server(directory, port: port)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        sender.waitUntilExit()
        let json = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "{}"
        let summary = (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]) ?? [:]
        #expect(summary["failed_batches"] as? Int == 0, "\(json)")
        let candidate = Self.acknowledged(summary, "1.5.0")
        let baseline = Self.acknowledged(summary, "1.4.0")
        #expect(candidate.tasks + baseline.tasks == 600)

        let look = try Self.intakeLook(runId, in: directory)
        #expect(look.judgement.sample.candidateTasks == candidate.tasks)
        #expect(look.judgement.sample.baselineTasks == baseline.tasks)
        #expect(Self.count(look, "rogue_action_rate", candidate: true) == candidate.rogue)
        #expect(server?.terminate().status == 0)
    }

    @Test(
        "bad requests get the protocol's errors with a Status body, and the server stays up",
        .requires(.curl))
    func badRequests() throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", Self.policy)
        try directory.write("token", "s3cret-token\n")
        let server = try Server(directory, arguments: ["--token-file", "token", "--max-body-bytes", "4096"])
        let auth = "Authorization: Bearer s3cret-token"
        let url = "\(server.base)/v1/traces"
        let protobuf = "Content-Type: application/x-protobuf"

        let missing = try Self.post(url, body: Data([0x0A]), headers: [protobuf], in: directory)
        #expect(missing.status == 401)
        let wrong = try Self.post(url, body: Data(), headers: [protobuf, "Authorization: Bearer nope"], in: directory)
        #expect(wrong.status == 401)
        let garbage = try Self.post(url, body: Data([0x0A, 0xFF, 0x01]), headers: [protobuf, auth], in: directory)
        #expect(garbage.status == 400)
        #expect(String(decoding: garbage.body, as: UTF8.self).contains("not an OTLP ExportTraceServiceRequest"))
        let json = try Self.post(
            url, body: Data("{\"resourceSpans\": [".utf8), headers: ["Content-Type: application/json", auth],
            in: directory)
        #expect(json.status == 400)
        #expect(String(decoding: json.body, as: UTF8.self).contains("\"code\":3"))
        let type = try Self.post(url, body: Data("x".utf8), headers: ["Content-Type: text/xml", auth], in: directory)
        #expect(type.status == 415)
        let large = try Self.post(url, body: Data(count: 8192), headers: [protobuf, auth], in: directory)
        #expect(large.status == 413)
        let gzip = try Self.post(
            url, body: Data("not gzip".utf8), headers: [protobuf, auth, "Content-Encoding: gzip"], in: directory)
        #expect(gzip.status == 400)
        let events = try Self.post(
            "\(server.base)/v1/events", body: Data("{\"type\":\"task\"}\n".utf8),
            headers: ["Content-Type: application/x-ndjson", auth], in: directory)
        #expect(events.status == 200)
        #expect(String(decoding: events.body, as: UTF8.self).contains("\"rejected\":1"))
        let logs = "\(server.base)/v1/logs"
        let logsGarbage = try Self.post(
            logs, body: Data([0x0A, 0xFF, 0x01]), headers: [protobuf, auth], in: directory)
        #expect(logsGarbage.status == 400)
        #expect(String(decoding: logsGarbage.body, as: UTF8.self).contains("not an OTLP ExportLogsServiceRequest"))
        let logsType = try Self.post(
            logs, body: Data("x".utf8), headers: ["Content-Type: text/xml", auth], in: directory)
        #expect(logsType.status == 415)
        // An evaluation result without a trace id cannot be joined to a task: refused in partial_success.
        let untraced = try Self.post(
            logs,
            body: Data(
                ("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"eventName\":\"gen_ai.evaluation.result\"},"
                    + "{\"eventName\":\"app.log\"}]}]}]}").utf8),
            headers: ["Content-Type: application/json", auth], in: directory)
        #expect(untraced.status == 200)
        #expect(String(decoding: untraced.body, as: UTF8.self).contains("\"rejectedLogRecords\":\"1\""))

        // Still up, and a good request goes through.
        #expect(try Self.get("\(server.base)/healthz").status == 200)
        let empty = try Self.post(url, body: Data(), headers: [protobuf, auth], in: directory)
        #expect(empty.status == 200)
        #expect(!server.terminate().stderr.contains("s3cret"))
    }

    @Test(
        "a ledger held by another writer: 429 with Retry-After instead of a growing queue, then 200",
        .requires(.curl, .sqlite3))
    func slowLedger() throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", Self.policy)
        let server = try Server(directory, arguments: ["--max-queued-records", "1"])
        let request = try String(
            contentsOfFile: Repository.path("Tests/Fixtures/otlp-protobuf/invoke-agent.json"), encoding: .utf8)
        // Another process holds the write lock: the first commit waits for it.
        let (holder, input) = try Self.holdLedger(directory)
        let json = "Content-Type: application/json"
        try directory.write("request.json", request)
        let firstOutput = Pipe()
        let first = try Self.startPost(
            "\(server.base)/v1/traces", file: directory.path("request.json"), output: firstOutput)
        // Its one span waits for the commit, which waits for the lock.
        var queued = false
        for _ in 0..<100 where !queued {
            queued = try Self.get("\(server.base)/metrics").body.contains("agent_canary_intake_queue_records 1")
            if !queued { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(queued)
        let refused = try Self.post(
            "\(server.base)/v1/traces", body: Data(request.utf8), headers: [json], in: directory)
        #expect(refused.status == 429)
        #expect(refused.headers.lowercased().contains("retry-after: 1"))
        // The lock goes: the waiting request commits and is answered.
        input.fileHandleForWriting.write(Data("ROLLBACK;\n.quit\n".utf8))
        try input.fileHandleForWriting.close()
        holder.waitUntilExit()
        let answered = String(decoding: firstOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        first.waitUntilExit()
        #expect(answered == "200")
        let retried = try Self.post(
            "\(server.base)/v1/traces", body: Data(request.utf8), headers: [json], in: directory)
        #expect(retried.status == 200)
        #expect(server.terminate().status == 0)
    }

    @Test(
        "the PostgreSQL ledger restarts: 503 and not ready meanwhile, then ready and 200 on a new connection",
        .requires(.curl, .postgresql))
    func ledgerRestart() throws {
        let postgres = try PostgresServer.dedicated()
        defer { postgres.remove() }
        let url = try postgres.createDatabase()
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", Self.policy)
        let server = try Server(directory, ledger: url)
        let events = { (range: Range<Int>) in
            Data(
                range.map { n in
                    "{\"type\":\"task\",\"ts\":\"2026-12-02T10:00:0\(n)Z\",\"event_id\":\"e-\(n)\",\"version\":\"1.5.0\","
                        + "\"conversation_id\":\"c-\(n)\",\"task_id\":\"t-\(n)\",\"outcome\":\"success\"}\n"
                }.joined().utf8)
        }
        let ndjson = "Content-Type: application/x-ndjson"
        let endpoint = "\(server.base)/v1/events"
        #expect(try Self.post(endpoint, body: events(0..<3), headers: [ndjson], in: directory).status == 200)

        try postgres.stop()
        let refused = try Self.post(endpoint, body: events(3..<6), headers: [ndjson], in: directory)
        #expect(refused.status == 503)
        #expect(refused.headers.lowercased().contains("retry-after: 5"))
        #expect(try Self.get("\(server.base)/readyz").status == 503)
        #expect(try Self.get("\(server.base)/healthz").status == 200)

        // No request comes (a load balancer sends none to a pod that is not ready): the server finds the ledger
        // again by itself.
        try postgres.start()
        var ready = false
        for _ in 0..<150 where !ready {
            ready = try Self.get("\(server.base)/readyz").status == 200
            if !ready { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(ready)
        #expect(try Self.post(endpoint, body: events(3..<6), headers: [ndjson], in: directory).status == 200)

        // What was acknowledged is stored, once; the refused request, retried, too.
        var keys: [String] = []
        _ = try Ledger(path: url).forEachIntakeRecord(agent: "support-agent", after: 0, since: 0) { stored in
            keys.append(stored.record.key)
            return true
        }
        #expect(keys.count == 6 && Set(keys).count == 6)
        let stopped = server.terminate()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("connected to the ledger again"))
        #expect(!(stopped.stdout + stopped.stderr).contains(PostgresServer.password))
    }

    @Test(
        "protobuf and JSON store the same rows; an intake look equals the file look on the same traces",
        .requires(.pythonEnvironment))
    func encodingsAndFilesAgree() throws {
        let directory = try TemporaryDirectory()
        try LoopFixtures.simulate(
            [
                "--scenario", "rogue", "--seed", "3", "--weight", "50", "--conversations", "300",
                "--format", "otlp", "--start", "2026-11-26T00:05:00Z", "--out", directory.path("traces.jsonl"),
            ], in: directory)
        // The same run in two ledgers: one fed by the file, one by the server.
        let runId = try LoopFixtures.startedRun(in: directory, policy: Self.policy)
        try FileManager.default.copyItem(atPath: directory.path("ledger.sqlite"), toPath: directory.path("file.sqlite"))
        let fileLook = try Tool.run(
            "monitor",
            [
                "analyze", "--run", runId, "--otlp", "traces.jsonl", "--policy", "canary.yaml", "--ledger",
                "file.sqlite", "--output", "file.json",
            ], environment: LoopFixtures.environment, in: directory.url)
        #expect(fileLook.status <= 1, "\(fileLook.stderr)")

        let server = try Server(directory)
        let python = try ExternalTool.pythonEnvironment.require()
        let posted = try runCommand(
            python,
            [
                Repository.path("Tests/Senders/post-otlp-protobuf"), "--endpoint", server.base,
                directory.path("traces.jsonl"),
            ])
        #expect(posted.status == 0, "\(posted.output)")
        let protobufRows = try Self.rows(directory.path("ledger.sqlite"))
        // The same traces again as JSON, through agent-sim send: every record is a retry, stored once.
        let json = try Tool.run(
            "agent-sim", ["send", "--endpoint", server.base, "--encoding", "json", "traces.jsonl"], in: directory.url)
        #expect(json.status == 0, "\(json.stderr)")
        #expect(try Self.rows(directory.path("ledger.sqlite")) == protobufRows)
        // A JSON-only ledger holds exactly the same rows.
        let jsonDirectory = try TemporaryDirectory()
        try jsonDirectory.write("canary.yaml", Self.policy)
        let jsonServer = try Server(jsonDirectory)
        let jsonOnly = try Tool.run(
            "agent-sim", ["send", "--endpoint", jsonServer.base, "--encoding", "json", directory.path("traces.jsonl")])
        #expect(jsonOnly.status == 0, "\(jsonOnly.stderr)")
        #expect(try Self.rows(jsonDirectory.path("ledger.sqlite")) == protobufRows)

        let intake = try Self.intakeLook(runId, in: directory, output: "intake.json")
        let file = try LoopFixtures.analysis(directory.path("file.json"))
        #expect(intake.judgement == file.judgement)
        #expect(intake.ingestion.newEvents == file.ingestion.newEvents)
        #expect(server.terminate().status == 0)
    }

    @Test(
        "two servers on one PostgreSQL ledger: a look from another runner counts both; no password anywhere",
        .requires(.pythonEnvironment, .postgresql))
    func sharedPostgresLedger() throws {
        let url = try PostgresServer.shared().createDatabase()
        let runner = try TemporaryDirectory()
        let environment = LoopFixtures.environment
        let gate = try Tool.run(
            "benchmark-gate",
            [
                "--candidate", Repository.path("Tests/Fixtures/native/pass/candidate.jsonl"), "--baseline",
                Repository.path("Tests/Fixtures/native/pass/baseline.jsonl"), "--agent", "support-agent", "--output",
                "gate.json", "--ledger", url,
            ], environment: environment, in: runner.url)
        #expect(gate.status == 0, "\(gate.stderr)")
        try runner.write("canary.yaml", Self.policy)
        let start = try Tool.run(
            "canary-deploy",
            [
                "start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "nginx", "--ledger", url,
                "--out-dir", "out",
            ],
            environment: environment, in: runner.url)
        #expect(start.status == 0, "\(start.stderr)")
        let runId = try ArtifactCoding.makeDecoder().decode(
            RolloutArtifact.self, from: Data(contentsOf: URL(fileURLWithPath: runner.path("out/rollout.json")))
        ).runId

        // Two replicas, each in its own directory, on the one database.
        let first = try TemporaryDirectory()
        let second = try TemporaryDirectory()
        for directory in [first, second] { try directory.write("canary.yaml", Self.policy) }
        let one = try Server(first, ledger: url)
        let two = try Server(second, ledger: url)
        let a = try Self.sendWithSDK(to: one.base, traces: 120, extra: ["--seed", "5"], in: first)
        let b = try Self.sendWithSDK(to: two.base, traces: 80, extra: ["--seed", "6"], in: second)
        #expect(a["failed_batches"] as? Int == 0 && b["failed_batches"] as? Int == 0)
        let candidate = Self.acknowledged(a, "1.5.0").tasks + Self.acknowledged(b, "1.5.0").tasks
        let rogue = Self.acknowledged(a, "1.5.0").rogue + Self.acknowledged(b, "1.5.0").rogue

        let look = try Tool.run(
            "monitor",
            [
                "analyze", "--run", runId, "--intake", "--policy", "canary.yaml", "--ledger", url, "--output",
                "analysis.json",
            ],
            environment: environment, in: runner.url)
        #expect(look.status <= 1, "\(look.stderr)")
        let artifact = try LoopFixtures.analysis(runner.path("analysis.json"))
        #expect(artifact.judgement.sample.candidateTasks + artifact.judgement.sample.baselineTasks == 200)
        #expect(artifact.judgement.sample.candidateTasks == candidate)
        #expect(Self.count(artifact, "rogue_action_rate", candidate: true) == rogue)
        for server in [one, two] {
            let stopped = server.terminate()
            #expect(stopped.status == 0, "\(stopped.stderr)")
            #expect(!(stopped.stdout + stopped.stderr).contains(PostgresServer.password))
            #expect((stopped.stdout).contains("postgresql://canary:***@127.0.0.1:"))
        }
    }

    /// Every intake record's key and body, in key order.
    static func rows(_ path: String) throws -> [String] {
        let ledger = try Ledger(path: path)
        var rows: [String] = []
        _ = try ledger.forEachIntakeRecord(agent: "support-agent", after: 0, since: 0) { stored in
            rows.append("\(stored.record.key) \(stored.record.body)")
            return true
        }
        return rows.sorted()
    }
}

import AnalysisCore
import Artifacts
import Foundation
import TestSupport
import Testing
import ToolContract

/// `monitor serve` under hostile input, load and faults, through the shipped binary: what it admits is what the
/// looks read, a body is decoded whole or refused, memory is bounded by bytes held, connections and requests by
/// time, readiness says what fails, and retention keeps what the looks still need.
@Suite("monitor serve under hostile input, load and faults", .tags(.services), .notInFastPath, .serialized)
struct HostileIntakeTests {
    typealias Server = IntakeServiceTests.Server
    static let json = "Content-Type: application/json"

    /// An OTLP/JSON export of one trace of `support-agent` at `version`: an `invoke_agent` task span (when
    /// `root`), and a tool call below it (when `tool`; unauthorized when `rogue`); `padding` bytes in an
    /// attribute of the task span.
    static func trace(
        _ number: Int, version: String = "1.5.0", root: Bool = true, tool: Bool = true, rogue: Bool = false,
        start: UInt64? = nil, inputTokens: Int = 100, padding: Int = 0
    ) -> Data {
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        let traceId = String(format: "%032x", number + 1)
        let rootId = String(format: "%016x", number * 2 + 1)
        func attribute(_ key: String, _ value: String) -> String {
            "{\"key\":\"\(key)\",\"value\":\(value)}"
        }
        let pad =
            padding > 0
            ? "," + attribute("padding", "{\"stringValue\":\"\(String(repeating: "y", count: padding))\"}") : ""
        var spans: [String] = []
        if root {
            spans.append(
                """
                {"traceId":"\(traceId)","spanId":"\(rootId)","name":"invoke_agent support","kind":1,\
                "startTimeUnixNano":"\(start ?? now - 1_500_000_000)","endTimeUnixNano":"\(now)",\
                "attributes":[\(attribute("gen_ai.operation.name", "{\"stringValue\":\"invoke_agent\"}")),\
                \(attribute("gen_ai.usage.input_tokens", "{\"intValue\":\"\(inputTokens)\"}"))\(pad)],"status":{"code":1}}
                """)
        }
        if tool {
            spans.append(
                """
                {"traceId":"\(traceId)","spanId":"\(String(format: "%016x", number * 2 + 2))",\
                "parentSpanId":"\(rootId)","name":"execute_tool refund","kind":1,\
                "startTimeUnixNano":"\(now - 1_000_000_000)","endTimeUnixNano":"\(now - 500_000_000)",\
                "attributes":[\(attribute("gen_ai.operation.name", "{\"stringValue\":\"execute_tool\"}")),\
                \(attribute("agent_canary.tool.authorized", "{\"boolValue\":\(!rogue)}"))\(root ? "" : pad)]}
                """)
        }
        return Data(
            """
            {"resourceSpans":[{"resource":{"attributes":[\(attribute("service.name", "{\"stringValue\":\"support-agent\"}")),\
            \(attribute("service.version", "{\"stringValue\":\"\(version)\"}"))]},\
            "scopeSpans":[{"scope":{"name":"agent"},"spans":[\(spans.joined(separator: ","))]}]}]}
            """.utf8)
    }

    static func gzip(_ data: Data, in directory: TemporaryDirectory) throws -> Data {
        let name = "gzip-\(UUID().uuidString)"
        try data.write(to: URL(fileURLWithPath: directory.path(name)))
        let result = try runCommand(try #require(Services.which("gzip")), ["-n", directory.path(name)])
        #expect(result.status == 0, "\(result.output)")
        return try Data(contentsOf: URL(fileURLWithPath: directory.path("\(name).gz")))
    }

    /// The intake records the ledger holds: the events of complete traces (a trace's spans are not kept).
    static func intakeRows(_ directory: TemporaryDirectory) throws -> Int {
        let result = try runCommand(
            try ExternalTool.sqlite3.require(),
            [directory.path("ledger.sqlite"), "SELECT count(*) FROM intake_records"])
        return Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    static func post(_ server: Server, _ body: Data, headers: [String] = [json], in directory: TemporaryDirectory)
        throws -> (status: Int, body: String)
    {
        let answer = try IntakeServiceTests.post(
            "\(server.base)/v1/traces", body: body, headers: headers, in: directory)
        return (answer.status, String(decoding: answer.body, as: UTF8.self))
    }

    @Test(
        "SIGTERM while the ledger hangs: the waiting request is dropped unacknowledged, exit 0 after --drain-timeout",
        .requires(.curl, .sqlite3))
    func drainWithHungLedger() throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", IntakeServiceTests.policy)
        let server = try Server(directory, arguments: ["--drain-timeout", "2s"])
        let (holder, input) = try IntakeServiceTests.holdLedger(directory)
        defer {
            input.fileHandleForWriting.write(Data("ROLLBACK;\n.quit\n".utf8))
            holder.waitUntilExit()
        }
        try directory.write("trace.json", String(decoding: Self.trace(1), as: UTF8.self))
        let answer = Pipe()
        let sender = try IntakeServiceTests.startPost(
            "\(server.base)/v1/traces", file: directory.path("trace.json"), output: answer)
        Thread.sleep(forTimeInterval: 1)
        let began = Date()
        let stopped = server.terminate()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(Date().timeIntervalSince(began) < 7)
        #expect(stopped.stderr.contains("not acknowledged"))
        sender.waitUntilExit()
        let code = String(decoding: answer.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(code != "200", "a request whose records were not committed was acknowledged")
    }

    @Test(
        "a gzip body is decoded whole (every member) or refused (bytes after the last member)",
        .requires(.curl, .sqlite3))
    func wholeBodies() throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", IntakeServiceTests.policy)
        let server = try Server(directory)
        // One export split in the middle of its JSON, each half its own gzip member (`cat a.gz b.gz`).
        let body = Self.trace(1)
        let half = body.count / 2
        let twoMembers =
            try Self.gzip(body.prefix(half), in: directory) + Self.gzip(body.dropFirst(half), in: directory)
        let gzip = [Self.json, "Content-Encoding: gzip"]
        let whole = try Self.post(server, twoMembers, headers: gzip, in: directory)
        #expect(whole.status == 200, "\(whole.body)")
        // The trace's task.
        #expect(try Self.intakeRows(directory) == 1)
        // A member followed by bytes that are not another member: refused, nothing stored.
        let trailing = try Self.gzip(Self.trace(2), in: directory) + Data("garbage".utf8)
        let refused = try Self.post(server, trailing, headers: gzip, in: directory)
        #expect(refused.status == 400)
        #expect(refused.body.contains("after the end of the gzip stream"))
        let truncated = try Self.gzip(Self.trace(3), in: directory) + Self.gzip(Self.trace(4), in: directory).prefix(12)
        #expect(try Self.post(server, truncated, headers: gzip, in: directory).status == 400)
        #expect(try Self.intakeRows(directory) == 1)
        #expect(server.terminate().status == 0)
    }

    @Test(
        "what the server admits the looks read: invalid traces refused in partial_success, an old record passed",
        .requires(.curl, .sqlite3))
    func oneAdmissionRule() throws {
        let directory = try TemporaryDirectory()
        let runId = try LoopFixtures.startedRun(in: directory, policy: IntakeServiceTests.policy)
        let server = try Server(directory)
        // A task span that starts at 0 (a latency of 56 years), a token count of -1: refused whole, never stored.
        let zero = try Self.post(server, Self.trace(10, start: 0), in: directory)
        #expect(zero.status == 200)
        #expect(zero.body.contains("\"rejectedSpans\":\"2\""), "\(zero.body)")
        #expect(zero.body.contains("startTimeUnixNano"))
        let negative = try Self.post(server, Self.trace(11, inputTokens: -1), in: directory)
        #expect(negative.body.contains("\"rejectedSpans\":\"2\""), "\(negative.body)")
        #expect(negative.body.contains("gen_ai.usage.input_tokens"))
        #expect(try Self.intakeRows(directory) == 0)
        let metrics = try IntakeServiceTests.get("\(server.base)/metrics").body
        #expect(metrics.contains("agent_canary_intake_spans_total{result=\"rejected\",reason=\"invalid\"} 4"))
        // A record an older server stored without the check: reported and passed, never a wall.
        let old = #"{"type":"task","event_id":"old","ts":"yesterday","version":"1.5.0","outcome":"success"}"#
        let inserted = try runCommand(
            try ExternalTool.sqlite3.require(),
            [
                directory.path("ledger.sqlite"),
                "INSERT INTO intake_records (record_key, kind, agent, trace_id, is_root, ts, received_at, body) "
                    + "VALUES ('event:support-agent:old', 'event', 'support-agent', NULL, 0, "
                    + "\(Date().timeIntervalSince1970), \(Date().timeIntervalSince1970), '\(old)')",
            ])
        #expect(inserted.status == 0, "\(inserted.output)")
        for number in 20..<24 { #expect(try Self.post(server, Self.trace(number), in: directory).status == 200) }
        let look = try IntakeServiceTests.intakeLook(runId, in: directory)
        #expect(look.judgement.sample.candidateTasks == 4)
        #expect(look.ingestion.skippedMalformedLines == 1)
        #expect(server.terminate().status == 0)
    }

    @Test(
        "a slow ledger and 8 MiB spans: 429 once --max-held-bytes is held, memory under the unit's 512 MiB",
        .requires(.curl, .sqlite3))
    func boundedByBytes() throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", IntakeServiceTests.policy)
        let server = try Server(directory, arguments: ["--max-held-bytes", "\(64 << 20)"])
        try directory.write("big.json", String(decoding: Self.trace(1, tool: false, padding: 8 << 20), as: UTF8.self))
        // Another process holds the write lock: every commit waits.
        let (holder, input) = try IntakeServiceTests.holdLedger(directory)
        let senders = try (0..<24).map { index in
            _ = FileManager.default.createFile(atPath: directory.path("code-\(index)"), contents: nil)
            return try IntakeServiceTests.startPost(
                "\(server.base)/v1/traces", file: directory.path("big.json"),
                output: FileHandle(forWritingAtPath: directory.path("code-\(index)")) ?? FileHandle.nullDevice)
        }
        Thread.sleep(forTimeInterval: 6)
        let status = try String(
            contentsOfFile: "/proc/\(server.running.process.processIdentifier)/status", encoding: .utf8)
        let peak =
            status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        input.fileHandleForWriting.write(Data("ROLLBACK;\n.quit\n".utf8))
        try input.fileHandleForWriting.close()
        holder.waitUntilExit()
        for sender in senders { sender.waitUntilExit() }
        let codes = try (0..<24).map { try String(contentsOfFile: directory.path("code-\($0)"), encoding: .utf8) }
        #expect(codes.filter { $0 == "429" }.count >= 12, "\(codes)")
        #expect(codes.contains("200"))
        #expect(peak > 0 && peak < 400 << 10, "peak RSS \(peak) kB")
        #expect(server.terminate().status == 0)
    }

    @Test(
        "idle and dripping connections closed, the probe port answers at the connection limit, SIGTERM drains in time",
        .requires(.curl))
    func connectionsAndTime() throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", IntakeServiceTests.policy)
        let probePort = try Services.freePort()
        let server = try Server(
            directory,
            arguments: [
                "--max-connections", "40", "--idle-timeout", "2s", "--read-timeout", "3s", "--drain-timeout", "2s",
                "--max-held-bytes", "\(16 << 20)",
                "--probe-listen", "127.0.0.1:\(probePort)",
            ])
        let pid = server.running.process.processIdentifier
        func descriptors() -> Int {
            (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
        }
        let before = descriptors()
        var idle = (0..<150).compactMap { _ in RawConnection(port: server.port) }
        #expect(idle.count == 150)
        Thread.sleep(forTimeInterval: 0.5)
        // The server holds at most 40 of them; the rest wait in the backlog, costing it no descriptor.
        #expect(descriptors() <= before + 48, "\(descriptors()) descriptors, \(before) before")
        #expect(Services.waitForPort(probePort, timeout: 5))
        #expect(try IntakeServiceTests.get("http://127.0.0.1:\(probePort)/healthz").status == 200)
        #expect(try IntakeServiceTests.get("http://127.0.0.1:\(probePort)/readyz").status == 200)
        // Idle connections are closed after --idle-timeout, the waiting ones too once accepted.
        Thread.sleep(forTimeInterval: 2.5)
        let closed = idle.prefix(40).filter { $0.receive(timeout: 0.2).closed }.count
        #expect(closed == 40)
        idle.removeAll()
        #expect(try IntakeServiceTests.get("\(server.base)/healthz").status == 200)

        // A request alone always fits, though its body counted twice passes --max-held-bytes.
        #expect(try Self.post(server, Self.trace(6, tool: false, padding: 9 << 20), in: directory).status == 200)

        // Senders that declare large bodies and send slowly hold only what they sent: the others go through.
        let slow = (0..<3).compactMap { _ in RawConnection(port: server.port) }
        for connection in slow {
            connection.send(
                "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                    + "Content-Length: \(16 << 20)\r\n\r\n" + String(repeating: " ", count: 1024))
        }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try Self.post(server, Self.trace(5), in: directory).status == 200)

        // A body that drips a byte a second is not idle: --read-timeout ends it with 408.
        let drip = try #require(RawConnection(port: server.port))
        drip.send(
            "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100\r\n\r\n")
        var answer = ""
        var dripClosed = false
        for _ in 0..<8 where !dripClosed {
            drip.send("x")
            let part = drip.receive(timeout: 1)
            answer += part.text
            dripClosed = part.closed
        }
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
        #expect(dripClosed)

        // SIGTERM while a client is stalled mid-body: the drain ends after --drain-timeout, exit 0.
        let stalled = try #require(RawConnection(port: server.port))
        stalled.send(
            "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100\r\n\r\n{")
        Thread.sleep(forTimeInterval: 0.3)
        let began = Date()
        let stopped = server.terminate()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(Date().timeIntervalSince(began) < 8)
        _ = stalled
    }

    @Test(
        "a full disk: not ready until there is room again, then ready and 200", .requires(.curl),
        .enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func fullDisk() throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", IntakeServiceTests.policy)
        let disk = directory.path("disk")
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        let mount = try runCommand(
            try #require(Services.which("mount")), ["-t", "tmpfs", "-o", "size=4m", "tmpfs", disk])
        try #require(mount.status == 0, "\(mount.output)")
        defer { _ = try? runCommand(try #require(Services.which("umount")), [disk]) }
        let server = try Server(directory, ledger: "disk/ledger.sqlite", arguments: ["--max-body-bytes", "1048576"])
        #expect(try Self.post(server, Self.trace(1), in: directory).status == 200)
        #expect(try IntakeServiceTests.get("\(server.base)/readyz").status == 200)
        let filler = try runCommand(
            try #require(Services.which("dd")), ["if=/dev/zero", "of=\(disk)/filler", "bs=64k"])
        _ = filler
        // A large span whose trace's opening span has not come: kept as it is until the trace is complete.
        let large = Self.trace(2, root: false, padding: 300 << 10)
        #expect(try Self.post(server, large, in: directory).status == 503)
        // The empty transaction of old succeeded here; the probe now writes, and the disk has no room.
        for _ in 0..<3 {
            Thread.sleep(forTimeInterval: 1.5)
            let ready = try IntakeServiceTests.get("\(server.base)/readyz")
            #expect(ready.status == 503)
            #expect(ready.body.contains("disk") || ready.body.contains("full"), "\(ready.body)")
        }
        try FileManager.default.removeItem(atPath: "\(disk)/filler")
        var ready = 0
        for _ in 0..<20 where ready != 200 {
            Thread.sleep(forTimeInterval: 0.5)
            ready = try IntakeServiceTests.get("\(server.base)/readyz").status
        }
        #expect(ready == 200)
        #expect(try Self.post(server, large, in: directory).status == 200)
        #expect(server.terminate().status == 0)
    }

    @Test(
        "retention keeps a built trace's summary while its run is open, so a late rogue call finds its task; 0.9s",
        .requires(.curl, .sqlite3))
    func retentionKeepsWhatLooksNeed() throws {
        let directory = try TemporaryDirectory()
        let runId = try LoopFixtures.startedRun(in: directory, policy: IntakeServiceTests.policy)
        let server = try Server(directory)
        #expect(try Self.post(server, Self.trace(1), in: directory).status == 200)
        #expect(try Self.post(server, Self.trace(2, version: "1.4.0"), in: directory).status == 200)
        let first = try IntakeServiceTests.intakeLook(runId, in: directory)
        #expect(first.judgement.sample.candidateTasks == 1)
        #expect(IntakeServiceTests.count(first, "rogue_action_rate", candidate: true) == 0)
        func prune(_ age: String) throws -> String {
            let pruned = try Tool.run(
                "monitor", ["ledger", "prune", "--older-than", age, "--ledger", "ledger.sqlite"], in: directory.url)
            #expect(pruned.status == 0, "\(pruned.stderr)")
            return pruned.stdout
        }
        Thread.sleep(forTimeInterval: 1.1)
        // The two tasks' events the look read go; the traces' summaries stay.
        #expect(try prune("0.9s").hasPrefix("pruned 2 intake records"))
        // The task's unauthorized tool call comes after the look and the prune.
        let late = Self.trace(1, root: false, rogue: true)
        let lateRogue = String(decoding: late, as: UTF8.self).replacingOccurrences(
            of: String(format: "%016x", 4), with: String(format: "%016x", 99))
        #expect(try Self.post(server, Data(lateRogue.utf8), in: directory).status == 200)
        let second = try IntakeServiceTests.intakeLook(runId, in: directory, output: "second.json")
        #expect(IntakeServiceTests.count(second, "rogue_action_rate", candidate: true) == 1)

        // Another agent's events: --older-than 0.9s keeps what came in the last 0.9 s.
        let events = try IntakeServiceTests.post(
            "\(server.base)/v1/events?agent=other-agent",
            body: Data(
                "{\"type\":\"task\",\"event_id\":\"e1\",\"ts\":\"\(ISO8601DateFormatter().string(from: Date()))\",\"version\":\"1\",\"task_id\":\"t\",\"conversation_id\":\"c\",\"outcome\":\"success\"}\n"
                    .utf8), headers: ["Content-Type: application/x-ndjson"], in: directory)
        #expect(String(decoding: events.body, as: UTF8.self).contains("\"accepted\":1"))
        #expect(try prune("0.9s").hasPrefix("pruned 0 intake records"))
        Thread.sleep(forTimeInterval: 1.0)
        // The other agent's event, and the violation the second look read.
        #expect(try prune("0.9s").hasPrefix("pruned 2 intake records"))
        #expect(server.terminate().status == 0)
    }

    @Test(
        "a trace waits for its evaluation as spans, and is built once evaluation_wait has passed without it",
        .requires(.curl, .sqlite3))
    func evaluationWaitEnds() throws {
        let directory = try TemporaryDirectory()
        let runId = try LoopFixtures.startedRun(
            in: directory,
            policy: IntakeServiceTests.policy
                + "monitor:\n  otlp: {success_evaluation: task_success, evaluation_wait: 1s}\n")
        let server = try Server(directory)
        // The task has no task_success result yet: its spans wait, and no event is stored.
        #expect(try Self.post(server, Self.trace(1), in: directory).status == 200)
        #expect(try IntakeServiceTests.scalar("SELECT count(*) FROM intake_pending", in: directory) == 2)
        #expect(try IntakeServiceTests.scalar("SELECT count(*) FROM intake_records", in: directory) == 0)
        // The server builds it once the wait has passed (it looks every second), and forgets its spans.
        var built = 0
        for _ in 0..<50 where built == 0 {
            Thread.sleep(forTimeInterval: 0.2)
            built = try IntakeServiceTests.scalar("SELECT count(*) FROM intake_records", in: directory)
        }
        #expect(built == 1)
        #expect(try IntakeServiceTests.scalar("SELECT count(*) FROM intake_pending", in: directory) == 0)
        let look = try IntakeServiceTests.intakeLook(runId, in: directory)
        #expect(look.judgement.sample.candidateTasks == 1)
        #expect(server.terminate().status == 0)
    }

    @Test(
        "spans an earlier server stored (moved to intake_pending by the v7 migration) are built by the next one",
        .requires(.curl, .sqlite3))
    func earlierSpansAreBuilt() throws {
        let directory = try TemporaryDirectory()
        let runId = try LoopFixtures.startedRun(in: directory, policy: IntakeServiceTests.policy)
        // What the migration leaves of a trace an earlier server stored span by span: its lines, no wait.
        let body = String(decoding: Self.trace(1, rogue: true), as: UTF8.self).replacingOccurrences(of: "'", with: "''")
        let now = Date().timeIntervalSince1970
        let inserted = try runCommand(
            try ExternalTool.sqlite3.require(),
            [
                directory.path("ledger.sqlite"),
                "INSERT INTO intake_pending (record_key, agent, trace_id, is_root, ts, received_at, body) VALUES "
                    + "('span:old', 'support-agent', '\(String(format: "%032x", 2))', 1, \(now), \(now), '\(body)')",
            ])
        #expect(inserted.status == 0, "\(inserted.output)")
        let server = try Server(directory)
        var built = 0
        for _ in 0..<50 where built == 0 {
            Thread.sleep(forTimeInterval: 0.2)
            built = try IntakeServiceTests.scalar("SELECT count(*) FROM intake_pending", in: directory) == 0 ? 1 : 0
        }
        #expect(built == 1)
        // A baseline task sent now, so that the candidate's rate is judged.
        #expect(try Self.post(server, Self.trace(2, version: "1.4.0"), in: directory).status == 200)
        let look = try IntakeServiceTests.intakeLook(runId, in: directory)
        #expect(look.judgement.sample.candidateTasks == 1)
        #expect(IntakeServiceTests.count(look, "rogue_action_rate", candidate: true) == 1)
        #expect(server.terminate().status == 0)
    }

    /// Native task events of `support-agent`, one per number, of `version`.
    static func events(_ numbers: Range<Int>, version: String) -> Data {
        let now = ISO8601DateFormatter().string(from: Date())
        return Data(
            numbers.map {
                "{\"type\":\"task\",\"event_id\":\"e\($0)\",\"ts\":\"\(now)\",\"version\":\"\(version)\","
                    + "\"task_id\":\"t\($0)\",\"conversation_id\":\"c\($0)\",\"outcome\":\"success\"}\n"
            }.joined().utf8)
    }

    @Test(
        "ledger copy after a prune: incremental into an earlier copy, and the id counter travels with the rows",
        .requires(.curl, .postgresql))
    func copyAfterPrune() throws {
        let directory = try TemporaryDirectory()
        let runId = try LoopFixtures.startedRun(in: directory, policy: IntakeServiceTests.policy)
        var server = try Server(directory)
        func post(_ body: Data) throws {
            let answer = try IntakeServiceTests.post(
                "\(server.base)/v1/events", body: body, headers: ["Content-Type: application/x-ndjson"], in: directory)
            #expect(String(decoding: answer.body, as: UTF8.self).contains("\"rejected\":0"))
        }
        try post(Self.events(0..<3, version: "1.5.0") + Self.events(3..<6, version: "1.4.0"))
        #expect(try IntakeServiceTests.intakeLook(runId, in: directory).judgement.sample.candidateTasks == 3)
        func copy(_ target: String) throws -> ToolResult {
            try Tool.run("monitor", ["ledger", "copy", "ledger.sqlite", target], in: directory.url)
        }
        #expect(try copy("earlier.sqlite").status == 0)
        Thread.sleep(forTimeInterval: 1.1)
        let pruned = try Tool.run(
            "monitor", ["ledger", "prune", "--older-than", "1s", "--ledger", "ledger.sqlite"], in: directory.url)
        #expect(pruned.stdout.hasPrefix("pruned 6 intake records"), "\(pruned.stdout)\(pruned.stderr)")
        // Into the earlier copy, which holds the rows pruned since: still incremental.
        let again = try copy("earlier.sqlite")
        #expect(again.status == 0, "\(again.stderr)")
        // Into a new PostgreSQL ledger and from it into a new file, which receive no intake row: the next id
        // still comes after the run's cursor.
        let postgres = try PostgresServer.shared().createDatabase()
        #expect(try copy(postgres).status == 0)
        let back = try Tool.run("monitor", ["ledger", "copy", postgres, "fresh.sqlite"], in: directory.url)
        #expect(back.status == 0, "\(back.stderr)")
        #expect(server.terminate().status == 0)
        server = try Server(directory, ledger: "fresh.sqlite")
        try post(Self.events(6..<8, version: "1.5.0"))
        let look = try Tool.run(
            "monitor",
            [
                "analyze", "--run", runId, "--intake", "--policy", "canary.yaml", "--ledger", "fresh.sqlite",
                "--output", "fresh.json",
            ], environment: LoopFixtures.environment, in: directory.url)
        #expect(look.status <= 1, "\(look.stderr)")
        #expect(try LoopFixtures.analysis(directory.path("fresh.json")).judgement.sample.candidateTasks == 5)
        #expect(server.terminate().status == 0)
    }
}

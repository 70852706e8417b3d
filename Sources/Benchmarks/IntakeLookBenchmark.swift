import Foundation
import JSONLines
import RunLedger
import Simulation
import Telemetry

/// `agent-sim bench-intake-look`: what a look costs on the production path against the file path, on the same
/// tasks, with the real binaries.
///
/// Simulates `tasks` tasks of a fleet (seed 7, a regressed candidate on half the traffic, with content) and
/// writes each twice: as a native event line (`native.jsonl`) and as the OTLP spans the simulator's GenAI
/// instrumentation gives (an `invoke_agent` root, its chat and tool spans, tokens, an evaluation event). The
/// spans go to the real `monitor serve` as protobuf requests of 100 traces over 4 connections; then, on the
/// same run (started by the real `benchmark-gate` and `canary-deploy`), it times `monitor analyze --run
/// --intake` against `monitor analyze --run --events native.jsonl` on a copy of the ledger taken before the
/// intake, and the plain `monitor analyze --events` without a run; with `otlpFile`, also
/// `monitor analyze --otlp` over the spans as one OTLP/JSON file. Prints the intake's throughput, the ledger's
/// bytes per span and per task, and each look's wall time and peak memory.
package struct IntakeLookBenchmark {
    /// The monitor binary; the one beside `agent-sim` when `nil`.
    package var monitor: String?
    package var tasks = 1_000_000
    /// Also time a look over the spans as an OTLP/JSON file.
    package var otlpFile = false
    /// Keep the working directory here (created when missing) instead of a temporary one.
    package var keep: String?

    package init() {}

    static let policy = "agent: {name: bench-agent}\nrollout:\n  steps: [{weight: 50}]\n"

    package func run(tools executable: String, report: (String) -> Void) throws {
        let work = try BenchTools.workDirectory(kept: keep, prefix: "bench-intake-look")
        defer { if keep == nil { try? FileManager.default.removeItem(at: work) } }
        let tools = BenchTools(beside: executable, work: work)
        let binary = monitor ?? tools.tool("monitor")
        let ledger = tools.path("intake.sqlite")
        let native = tools.path("native.sqlite")
        for path in [ledger, native] { try? FileManager.default.removeItem(atPath: path) }
        let runId = try tools.startRun(in: work.appendingPathComponent("run"), ledger: ledger, policy: Self.policy)
            .runId
        let policy = tools.path("run/canary.yaml")
        try FileManager.default.copyItem(atPath: ledger, toPath: native)
        let baseSize = Self.fileSize(ledger)

        report("simulating \(tasks) tasks as native events and as OTLP spans …")
        let (bodies, spans) = try simulate(
            native: tools.path("native.jsonl"), otlp: otlpFile ? tools.path("traces.jsonl") : nil)
        report(
            "\(bodies.count) protobuf requests, \(spans) spans (\(String(format: "%.1f", Double(spans) / Double(tasks))) a task)"
        )

        let server = try ServeProcess(binary: binary, ledger: ledger, policy: policy)
        let sent = try IntakeBenchmark.phase(
            bodies: bodies, port: server.port, connections: 4, seconds: 1e9, spansPerBody: 0, rate: nil)
        guard sent.failures == 0 else { throw BenchFailure("monitor serve refused \(sent.failures) requests") }
        report(
            String(
                format:
                    "monitor serve took them in %.1f s: %.0f spans/s acknowledged, request p50 %.1f ms, p99 %.1f ms",
                sent.elapsed, Double(spans) / sent.elapsed, sent.percentile(0.5) * 1000, sent.percentile(0.99) * 1000))
        try server.stop()

        let size = try Ledger(path: ledger).intakeSize()
        try Self.checkpoint(ledger)
        let grown = Self.fileSize(ledger) - baseSize
        report(
            "ledger: \(size.events) events, \(size.traces) trace summaries, \(size.pending) pending spans; "
                + String(
                    format: "%.0f bytes a span (%.0f a task) in its rows, %.0f a span (%.0f a task) on disk",
                    Double(size.bytes) / Double(spans), Double(size.bytes) / Double(tasks),
                    Double(grown) / Double(spans), Double(grown) / Double(tasks)))

        func look(_ label: String, _ arguments: [String], ledger: String) throws -> ProcessMeasurement {
            let measured = try BenchTools.measure(
                binary,
                ["analyze"] + arguments + [
                    "--ledger", ledger, "--output", tools.path("\(label).json"),
                ], allowed: 0...1)
            report(String(format: "%@: %.3f s, peak RSS %.1f MiB", label, measured.seconds, measured.peakMiB))
            return measured
        }
        let run = ["--run", runId, "--policy", policy]
        let intake = try look("monitor analyze --run --intake", run + ["--intake"], ledger: ledger)
        let events = try look(
            "monitor analyze --run --events", run + ["--events", tools.path("native.jsonl")], ledger: native)
        let plain = try look(
            "monitor analyze --events (no run)",
            ["--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--events", tools.path("native.jsonl")],
            ledger: tools.path("plain.sqlite"))
        var file: ProcessMeasurement?
        if otlpFile {
            file = try look(
                "monitor analyze --otlp (no run)",
                [
                    "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--policy", policy, "--otlp",
                    tools.path("traces.jsonl"),
                ], ledger: tools.path("otlp.sqlite"))
        }
        let counted = try Self.sample(tools.path("monitor analyze --run --intake.json"))
        let same = try counted == Self.sample(tools.path("monitor analyze --run --events.json"))
        report(
            String(
                format: "intake look / native run look: %.2f× the time; / native look without a run: %.2f×%@",
                intake.seconds / events.seconds, intake.seconds / plain.seconds,
                file.map { String(format: "; OTLP file look / native look: %.2f×", $0.seconds / plain.seconds) } ?? ""))
        report("the intake look and the native run look: \(same ? "the same" : "DIFFERENT") counts (\(counted))")
        if !same { throw BenchFailure("the intake look and the native look disagree") }
    }

    /// Writes the native file (and the OTLP/JSON file) and returns the protobuf requests and the spans' count.
    func simulate(native: String, otlp: String?) throws -> (bodies: [[UInt8]], spans: Int) {
        var traffic = FleetTraffic()
        traffic.candidateShare = 0.5
        traffic.conversations = Int(Double(tasks) / traffic.tasksPerConversation * 1.02)
        traffic.conversationsPerSecond = 50
        // After the run's creation: a look over the intake reads what came since.
        traffic.start = Date().timeIntervalSince1970
        let nativeSink = try LineSink(path: native, append: false)
        let otlpSink = try otlp.map { try LineSink(path: $0, append: false) }
        let parser = OTLPTraceParser(file: "simulated")
        var bodies: [[UInt8]] = []
        var batch: [OTLPSpan] = []
        var written = 0
        var spans = 0
        struct Done: Error {}
        do {
            try FleetSimulator(traffic: traffic, scenario: FleetScenario.regressed, seed: 7).generate { event in
                guard case .task(let task) = event else { return }
                guard written < tasks else { throw Done() }
                try nativeSink.write(NativeEventWriter.line(.task(task)))
                var line = OTLPWriter.line(task, names: .current)
                try otlpSink?.write(line)
                // The run's agent (the simulator names its service support-agent).
                let parsed = try line.withUTF8 { try parser.spans($0, line: 1) }.map { span in
                    var span = span
                    span.resource["service.name"] = .string("bench-agent")
                    return span
                }
                batch += parsed
                spans += parsed.count
                written += 1
                if written % 100 == 0 {
                    bodies.append([UInt8](OTLPProtobufWriter.request(batch)))
                    batch = []
                }
            }
        } catch is Done {}
        if !batch.isEmpty { bodies.append([UInt8](OTLPProtobufWriter.request(batch))) }
        try nativeSink.close()
        try otlpSink?.close()
        return (bodies, spans)
    }

    /// The baseline's and the candidate's tasks a look's analysis counted, and its decision.
    static func sample(_ path: String) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        let analysis = object as? [String: Any] ?? [:]
        let sample = analysis["sample"] as? [String: Any] ?? [:]
        return "\(sample["baseline_tasks"] ?? "?") + \(sample["candidate_tasks"] ?? "?") tasks, "
            + "\(analysis["decision"] ?? "?")"
    }

    static func fileSize(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// Copies a SQLite ledger's write-ahead log into the file, so its size says what the ledger holds.
    static func checkpoint(_ path: String) throws {
        _ = try Ledger(path: path).separateCheckpoints()?.checkpoint()
    }
}

/// `monitor serve` on a free port of 127.0.0.1, for a benchmark; stopped when the value goes away.
final class ServeProcess {
    let process = Process()
    let port: Int

    init(binary: String, ledger: String, policy: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments =
            ["serve", "--listen", "127.0.0.1:0", "--ledger", ledger] + (policy.map { ["--policy", $0] } ?? [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let address = line.range(of: "127.0.0.1:"),
            let port = Int(line[address.upperBound...].prefix { $0.isNumber })
        else {
            process.terminate()
            throw BenchFailure("monitor serve did not start: \(line)")
        }
        self.port = port
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// SIGTERM, and the wait for the drained exit.
    func stop() throws {
        process.terminate()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchFailure("monitor serve exited with \(process.terminationStatus)")
        }
    }
}

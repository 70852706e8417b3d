import Foundation
import JSONLines
import Synchronization
import Telemetry

/// `agent-sim bench-intake`: the real `monitor serve` under load on this machine, load generator included.
///
/// Pre-builds OTLP/HTTP protobuf batches (`traces` traces of an `invoke_agent` root with tokens and an evaluation
/// result event, a `chat` and an `execute_tool` span, every id distinct), posts them over `connections` keep-alive connections as fast as
/// the server answers for `seconds`, then again paced at half that rate; prints the spans per second the
/// server acknowledged (each 200 after its records' durable commit), the request latencies (p50, p99) of both
/// phases, and the server's peak resident memory (VmHWM).
package struct IntakeBenchmark {
    /// The monitor binary; default: beside the running `agent-sim`.
    package var monitor: String?
    /// The ledger: a path (default a new SQLite file in a temporary directory) or a `postgresql://` URL.
    package var ledger: String?
    /// A PostgreSQL ledger (a new database) to measure after the first, in the same run.
    package var postgres: String?
    package var seconds = 10.0
    package var connections = 4
    package var traces = 100

    package init() {}

    /// One phase's figures.
    struct Phase: Sendable {
        var spans = 0
        var requests = 0
        var failures = 0
        var elapsed = 0.0
        var latencies: [Double] = []

        var spansPerSecond: Double { elapsed > 0 ? Double(spans) / elapsed : 0 }

        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return .nan }
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
    }

    package func run(tools: String, report: (String) -> Void) throws {
        let work = try BenchTools.workDirectory(prefix: "bench-intake")
        defer { try? FileManager.default.removeItem(at: work) }
        let binary =
            monitor ?? URL(fileURLWithPath: tools).deletingLastPathComponent().appendingPathComponent("monitor").path
        let spansPerBody = traces * 3
        // Enough bodies for 100,000 spans a second over the first phase, and half of that for the second.
        let count = max(20, Int(100_000 * seconds) / spansPerBody)
        report("building \(count + count / 2) batches of \(traces) traces (\(spansPerBody) spans) …")
        let bodies = (0..<(count + count / 2)).map { Self.body(index: $0, traces: traces) }
        let bytes = bodies.reduce(0) { $0 + $1.count }
        report("batches: \(bodies.count), \(bytes / bodies.count) bytes each (protobuf); server: \(binary)")
        // The same requests on each ledger in turn: SQLite, then PostgreSQL when given.
        for ledger in [self.ledger ?? work.appendingPathComponent("ledger.sqlite").path] + (postgres.map { [$0] } ?? [])
        {
            let name = ledger.contains("://") ? "PostgreSQL" : "SQLite"
            report("\(name):")
            try measure(ledger: ledger, binary: binary, bodies: bodies, count: count, spansPerBody: spansPerBody) {
                report("  " + $0)
            }
        }
    }

    /// The two phases on one ledger.
    func measure(
        ledger: String, binary: String, bodies: [[UInt8]], count: Int, spansPerBody: Int, report: (String) -> Void
    ) throws {
        let server = try ServeProcess(binary: binary, ledger: ledger)
        let port = server.port
        let log = LogSize(path: ledger.contains("://") ? nil : ledger + "-wal")
        let full = try Self.phase(
            bodies: Array(bodies[0..<count]), port: port, connections: connections, seconds: seconds,
            spansPerBody: spansPerBody, rate: nil)
        report(Self.describe("as fast as it answers", full))
        let half = try Self.phase(
            bodies: Array(bodies[count...]), port: port, connections: connections, seconds: seconds,
            spansPerBody: spansPerBody, rate: full.spansPerSecond / 2 / Double(spansPerBody))
        report(Self.describe("at half that rate", half))
        let metrics = try HTTPConnection(port: port).get("/metrics").body
        let commits = Self.sample("agent_canary_intake_commit_duration_seconds_count", in: metrics)
        let committing = Self.sample("agent_canary_intake_commit_duration_seconds_sum", in: metrics)
        report(
            String(
                format: "ledger commits: %.0f, %.1f ms each on average (%.0f%% of the time)", commits,
                commits > 0 ? committing / commits * 1000 : .nan, committing / (full.elapsed + half.elapsed) * 100.0))
        if let largest = log.stop() {
            report(String(format: "the ledger's write-ahead log: at most %.0f MiB", Double(largest) / 1_048_576))
        }
        let peak = Self.peakResidentMiB(of: server.process.processIdentifier)
        server.process.terminate()
        server.process.waitUntilExit()
        report(
            String(
                format: "monitor serve: peak RSS %.0f MiB; exit status %d after SIGTERM", peak,
                server.process.terminationStatus))
    }

    /// The largest size a SQLite ledger's write-ahead log reaches while the benchmark runs (sampled every
    /// 50 ms); `nil` for PostgreSQL.
    final class LogSize: Sendable {
        private let state = Mutex((largest: Int64(0), running: true))
        private let path: String?

        init(path: String?) {
            self.path = path
            guard let path else { return }
            Thread { [self] in
                while state.withLock({ $0.running }) {
                    let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int64) ?? 0
                    state.withLock { $0.largest = max($0.largest, size) }
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }.start()
        }

        func stop() -> Int64? {
            state.withLock {
                $0.running = false
                return path == nil ? nil : $0.largest
            }
        }
    }

    static func describe(_ name: String, _ phase: Phase) -> String {
        String(
            format: "%@: %.0f spans/s acknowledged (%d requests, %d failed, %.1f s); latency p50 %.1f ms, p99 %.1f ms",
            name, phase.spansPerSecond, phase.requests, phase.failures, phase.elapsed, phase.percentile(0.5) * 1000,
            phase.percentile(0.99) * 1000)
    }

    /// Posts `bodies` over `connections` threads for at most `seconds`; with `rate` (requests a second), each
    /// request waits for its slot in the schedule and its latency counts from that slot.
    static func phase(
        bodies: [[UInt8]], port: Int, connections: Int, seconds: Double, spansPerBody: Int, rate: Double?
    ) throws -> Phase {
        struct Shared {
            var next = 0
            var phase = Phase()
            var error: (any Error)?
        }
        let shared = Mutex(Shared())
        let start = Date()
        let deadline = start.addingTimeInterval(seconds)
        @Sendable func send() {
            do {
                let connection = try HTTPConnection(port: port)
                while true {
                    let index = shared.withLock {
                        $0.next += 1
                        return $0.next - 1
                    }
                    guard index < bodies.count else { return }
                    var slot = Date()
                    if let rate {
                        slot = start.addingTimeInterval(Double(index) / rate)
                        let wait = slot.timeIntervalSinceNow
                        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                    }
                    guard Date() < deadline else { return }
                    let status = try connection.post(
                        "/v1/traces", body: bodies[index], contentType: "application/x-protobuf")
                    let latency = Date().timeIntervalSince(slot)
                    shared.withLock {
                        $0.phase.requests += 1
                        if status == 200 {
                            $0.phase.spans += spansPerBody
                            $0.phase.latencies.append(latency)
                        } else {
                            $0.phase.failures += 1
                        }
                    }
                }
            } catch {
                shared.withLock { $0.error = error }
            }
        }
        // One thread per connection (concurrentPerform would run no more at once than there are cores).
        let finished = DispatchGroup()
        for _ in 0..<connections {
            finished.enter()
            Thread {
                defer { finished.leave() }
                send()
            }.start()
        }
        finished.wait()
        let (error, result) = shared.withLock { ($0.error, $0.phase) }
        if let error { throw error }
        var phase = result
        phase.elapsed = Date().timeIntervalSince(start)
        return phase
    }

    /// One batch: `traces` agent tasks of three spans each, ids unique to `index`.
    static func body(index: Int, traces: Int) -> [UInt8] {
        let resource: [String: JSONValue] = ["service.name": .string("bench-agent")]
        var spans: [OTLPSpan] = []
        spans.reserveCapacity(traces * 3)
        let base = 1_795_651_200e9 + Double(index) * 1e9
        for trace in 0..<traces {
            let traceId = String(format: "%016x%016x", index + 1, trace + 1)
            let root = String(format: "%08x%08x", index + 1, trace * 3 + 1)
            let version = trace % 5 == 0 ? "1.5.0" : "1.4.0"
            let start = base + Double(trace) * 1e6
            func span(_ number: Int, _ name: String, parent: String, _ attributes: [String: JSONValue]) -> OTLPSpan {
                OTLPSpan(
                    traceId: traceId, spanId: String(format: "%08x%08x", index + 1, trace * 3 + number),
                    parentSpanId: parent,
                    name: name, startNanos: start + Double(number) * 1e5, endNanos: start + 9e8, attributes: attributes,
                    resource: resource, statusCode: 0, events: [])
            }
            spans.append(
                span(
                    2, "chat gpt-4o", parent: root,
                    [
                        "gen_ai.operation.name": .string("chat"), "gen_ai.request.model": .string("gpt-4o"),
                        "gen_ai.usage.input_tokens": .number(1200), "gen_ai.usage.output_tokens": .number(240),
                    ]))
            spans.append(
                span(
                    3, "execute_tool lookup_order", parent: root,
                    [
                        "gen_ai.operation.name": .string("execute_tool"), "gen_ai.tool.name": .string("lookup_order"),
                        "agent_canary.tool.authorized": .bool(true),
                    ]))
            var agent = span(
                1, "invoke_agent bench-agent", parent: "",
                [
                    "gen_ai.operation.name": .string("invoke_agent"), "gen_ai.agent.name": .string("bench-agent"),
                    "gen_ai.agent.version": .string(version),
                    "gen_ai.conversation.id": .string("c-\(index)-\(trace / 2)"),
                    "gen_ai.request.model": .string("gpt-4o"), "gen_ai.usage.input_tokens": .number(1200),
                    "gen_ai.usage.output_tokens": .number(240),
                ])
            // The outcome as the GenAI conventions send it: an evaluation result event on the agent's span.
            let evaluation: [String: JSONValue] = [
                "gen_ai.evaluation.name": .string("task_success"),
                "gen_ai.evaluation.score.value": .number(trace % 7 == 0 ? 0 : 1),
                "gen_ai.evaluation.score.label": .string(trace % 7 == 0 ? "fail" : "pass"),
            ]
            agent.events = [("gen_ai.evaluation.result", evaluation)]
            spans.append(agent)
        }
        return [UInt8](OTLPProtobufWriter.request(spans))
    }

    /// The value of the unlabelled sample `name` in Prometheus text (0 when it is not there).
    static func sample(_ name: String, in text: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1)) ?? 0
        }
        return 0
    }

    /// A process's peak resident set size (VmHWM) in MiB, from `/proc`.
    static func peakResidentMiB(of pid: Int32) -> Double {
        PeakPoller.peakKiB(of: pid).map { Double($0) / 1024 } ?? .nan
    }
}

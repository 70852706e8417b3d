import ArgumentParser
import CommandSupport
import Foundation
import Simulation

/// `agent-sim bench-ledger`: the same three stages on a SQLite ledger and on a PostgreSQL one.
struct BenchLedger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-ledger",
        abstract: "Benchmark: the gate, one look and an export on PostgreSQL against SQLite, with the real tools.",
        discussion: """
            Writes a suite of --tasks × --trials attempts per side, one look's telemetry (--conversations) and, \
            for the export, a run per store whose look retained about --records failed tasks (built first, \
            untimed). Then, --runs times and alternating the stores, times with the real binaries: \
            benchmark-gate (recording the suites and the gate) and monitor analyze --run (storing every event, \
            after canary-deploy start), each in a run of its own, and feedback-export --kind failures of the \
            export's run. Prints each measurement (wall time, peak RSS), the medians and PostgreSQL's ratio to \
            SQLite. --postgres names the database (any ledger database: the runs get ids of their own).
            """)

    @Option(help: ArgumentHelp("The PostgreSQL ledger to measure (postgresql://…).", valueName: "url"))
    var postgres: String
    @Option(help: "Tasks in the suite.") var tasks = 10_000
    @Option(help: "Trials per task.") var trials = 5
    @Option(help: "Conversations of the look's telemetry (40,000 give about 100,000 events).")
    var conversations = 40_000
    @Option(help: "Failed tasks the export's run retains, about.") var records = 100_000
    @Option(help: "Timed runs of each store.") var runs = 3

    func run() throws {
        try ToolRunner.run {
            let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            func tool(_ name: String) -> String { bin.appendingPathComponent(name).path }
            let work = FileManager.default.temporaryDirectory.appendingPathComponent(
                "agent-canary-bench-ledger-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: work) }
            func path(_ name: String) -> String { work.appendingPathComponent(name).path }
            func measure(_ name: String, _ arguments: [String], allowed: ClosedRange<Int32> = 0...0) throws
                -> ProcessMeasurement
            {
                let measurement = try ProcessMeasurement.run(tool(name), arguments)
                guard allowed.contains(measurement.exitStatus) else {
                    throw BenchFailure(
                        description: "\(name) \(arguments.first ?? "") exited with \(measurement.exitStatus)")
                }
                return measurement
            }
            ToolRunner.printResult("writing the suite (\(tasks) tasks × \(trials) trials) and the telemetry…")
            _ = try measure(
                "agent-sim", ["suite", "--out-dir", work.path, "--tasks", "\(tasks)", "--trials", "\(trials)"])
            _ = try measure(
                "agent-sim",
                [
                    "telemetry", "--scenario", "aa", "--success-shift=-0.8", "--weight", "50", "--conversations",
                    "\(conversations)", "--tasks-only", "--out", path("events.jsonl"),
                ])
            // Four in ten tasks of this scenario succeed: the export's run reads enough for --records failures.
            _ = try measure(
                "agent-sim",
                [
                    "telemetry", "--scenario", "aa", "--success-shift=-0.8", "--weight", "50", "--conversations",
                    "\(Int(Double(records) / 0.59 / 2.435))", "--tasks-only", "--out", path("export-events.jsonl"),
                ])
            // Counted in chunks: a child's peak RSS starts from this process's at spawn, so this one stays small.
            var events = 0
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path("events.jsonl")))
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { events += chunk.count { $0 == 10 } }
            try handle.close()
            try Data(
                "agent: {name: bench-agent}\nrollout:\n  steps: [{weight: 50}]\nmonitor: {retain_successes: 0}\n".utf8
            ).write(to: URL(fileURLWithPath: path("canary.yaml")))

            let stores = [("SQLite", path("ledger.sqlite")), ("PostgreSQL", postgres)]
            var times: [String: [Double]] = [:]
            var peaks: [String: [Double]] = [:]
            let stamp = UInt32.random(in: 0...UInt32.max)
            func startedRun(_ run: String, ledger: String) throws -> (gate: ProcessMeasurement, out: String) {
                let out = path("out-\(run)")
                let gate = try measure(
                    "benchmark-gate",
                    [
                        "--candidate", path("candidate.jsonl"), "--baseline", path("baseline.jsonl"), "--agent",
                        "bench-agent", "--run-id", run, "--output", path("gate-\(run).json"), "--ledger", ledger,
                    ], allowed: 0...1)
                _ = try measure(
                    "canary-deploy",
                    [
                        "start", "--gate", path("gate-\(run).json"), "--policy", path("canary.yaml"), "--router",
                        "nginx", "--out-dir", out, "--ledger", ledger, "--force", "--reason", "benchmark",
                    ])
                return (gate, out)
            }
            ToolRunner.printResult("storing the export's run on each store…")
            for (store, ledger) in stores {
                let run = "bench-\(stamp)-\(store.lowercased())-export"
                _ = try startedRun(run, ledger: ledger)
                _ = try measure(
                    "monitor",
                    [
                        "analyze", "--run", run, "--policy", path("canary.yaml"), "--events",
                        path("export-events.jsonl"),
                        "--output", path("analysis-\(run).json"), "--ledger", ledger,
                    ], allowed: 0...1)
            }
            for index in 1...runs {
                for (store, ledger) in index % 2 == 1 ? stores : stores.reversed() {
                    let run = "bench-\(stamp)-\(store.lowercased())-\(index)"
                    let (gate, _) = try startedRun(run, ledger: ledger)
                    let exportRun = "bench-\(stamp)-\(store.lowercased())-export"
                    let look = try measure(
                        "monitor",
                        [
                            "analyze", "--run", run, "--policy", path("canary.yaml"), "--events", path("events.jsonl"),
                            "--output", path("analysis-\(run).json"), "--ledger", ledger,
                        ], allowed: 0...1)
                    let export = try measure(
                        "feedback-export",
                        [
                            "--run", exportRun, "--kind", "failures", "--format", "native", "--out-dir",
                            path("dataset-\(run)"),
                            "--ledger", ledger,
                        ])
                    let manifest =
                        try JSONSerialization.jsonObject(
                            with: Data(contentsOf: URL(fileURLWithPath: path("dataset-\(run)/manifest.json"))))
                        as? [String: Any]
                    let records = manifest?["records"] as? Int ?? 0
                    try? FileManager.default.removeItem(atPath: path("dataset-\(run)"))
                    for (step, measurement) in [("gate", gate), ("look", look), ("export", export)] {
                        times["\(store) \(step)", default: []].append(measurement.seconds)
                        peaks["\(store) \(step)", default: []].append(measurement.peakMiB)
                    }
                    ToolRunner.printResult(
                        String(
                            format:
                                "run %d %@: gate %.2f s (%.0f MiB) · look of %d events %.2f s (%.0f MiB) · export of %d records %.2f s (%.0f MiB)",
                            index, store, gate.seconds, gate.peakMiB, events, look.seconds, look.peakMiB, records,
                            export.seconds, export.peakMiB))
                }
            }
            ToolRunner.printResult(
                "\n| step | SQLite (median) | PostgreSQL (median) | PostgreSQL / SQLite |\n|---|---|---|---|")
            for step in ["gate", "look", "export"] {
                let sqlite = ProcessMeasurement.median(times["SQLite \(step)"] ?? [])
                let postgres = ProcessMeasurement.median(times["PostgreSQL \(step)"] ?? [])
                ToolRunner.printResult(
                    String(
                        format: "| %@ | %.2f s, %.0f MiB | %.2f s, %.0f MiB | %.2f× |", step, sqlite,
                        ProcessMeasurement.median(peaks["SQLite \(step)"] ?? []), postgres,
                        ProcessMeasurement.median(peaks["PostgreSQL \(step)"] ?? []), postgres / sqlite))
            }
            return 0
        }
    }

    struct BenchFailure: Error, CustomStringConvertible {
        let description: String
    }
}

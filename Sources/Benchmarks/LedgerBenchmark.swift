import Foundation

/// `agent-sim bench-ledger`: the gate, one look and an export on a PostgreSQL ledger against a SQLite one, with
/// the real tools.
package struct LedgerBenchmark {
    /// The PostgreSQL ledger to measure (`postgresql://…`).
    package var postgres: String
    package var tasks = 10_000
    package var trials = 5
    /// Conversations of the look's telemetry (40,000 give about 100,000 events).
    package var conversations = 40_000
    /// Failed tasks the export's run retains, about.
    package var records = 100_000
    /// Timed runs of each store.
    package var runs = 3

    package init(postgres: String, tasks: Int, trials: Int, conversations: Int, records: Int, runs: Int) {
        self.postgres = postgres
        self.tasks = tasks
        self.trials = trials
        self.conversations = conversations
        self.records = records
        self.runs = runs
    }

    static let policy =
        "agent: {name: bench-agent}\nrollout:\n  steps: [{weight: 50}]\nmonitor: {retain_successes: 0}\n"

    /// Builds the inputs and the export's runs untimed, then times the three stages on both stores,
    /// alternating; `report` prints each line and the table of medians.
    package func run(tools executable: String, report: (String) -> Void) throws {
        let work = try BenchTools.workDirectory(prefix: "agent-canary-bench-ledger")
        defer { try? FileManager.default.removeItem(at: work) }
        let tools = BenchTools(beside: executable, work: work)
        report("writing the suite (\(tasks) tasks × \(trials) trials) and the telemetry…")
        try tools.measure(
            "agent-sim", ["suite", "--out-dir", work.path, "--tasks", "\(tasks)", "--trials", "\(trials)"])
        func telemetry(_ conversations: Int, into name: String) throws {
            try tools.measure(
                "agent-sim",
                [
                    "telemetry", "--scenario", "aa", "--success-shift=-0.8", "--weight", "50", "--conversations",
                    "\(conversations)", "--tasks-only", "--out", tools.path(name),
                ])
        }
        try telemetry(conversations, into: "events.jsonl")
        // Four in ten tasks of this scenario succeed: the export's run reads enough for --records failures.
        try telemetry(Int(Double(records) / 0.59 / 2.435), into: "export-events.jsonl")
        let events = try Self.lines(in: tools.path("events.jsonl"))

        let stores = [("SQLite", tools.path("ledger.sqlite")), ("PostgreSQL", postgres)]
        var times: [String: [Double]] = [:]
        var peaks: [String: [Double]] = [:]
        let stamp = UInt32.random(in: 0...UInt32.max)
        func look(_ run: String, events: String, ledger: String) throws -> ProcessMeasurement {
            try tools.measure(
                "monitor",
                [
                    "analyze", "--run", run, "--policy", tools.path("canary.yaml"), "--events", tools.path(events),
                    "--output", tools.path("analysis-\(run).json"), "--ledger", ledger,
                ], allowed: 0...1)
        }
        func start(_ run: String, ledger: String) throws -> ProcessMeasurement {
            try tools.startRun(in: work, ledger: ledger, policy: Self.policy, runId: run, force: true).gate
        }
        report("storing the export's run on each store…")
        for (store, ledger) in stores {
            let run = "bench-\(stamp)-\(store.lowercased())-export"
            _ = try start(run, ledger: ledger)
            _ = try look(run, events: "export-events.jsonl", ledger: ledger)
        }
        for index in 1...runs {
            for (store, ledger) in index % 2 == 1 ? stores : stores.reversed() {
                let run = "bench-\(stamp)-\(store.lowercased())-\(index)"
                let gate = try start(run, ledger: ledger)
                let look = try look(run, events: "events.jsonl", ledger: ledger)
                let dataset = tools.path("dataset-\(run)")
                let export = try tools.measure(
                    "feedback-export",
                    [
                        "--run", "bench-\(stamp)-\(store.lowercased())-export", "--kind", "failures", "--format",
                        "native", "--out-dir", dataset, "--ledger", ledger,
                    ])
                let records = try BenchTools.manifestRecords(in: dataset)
                try? FileManager.default.removeItem(atPath: dataset)
                for (step, measurement) in [("gate", gate), ("look", look), ("export", export)] {
                    times["\(store) \(step)", default: []].append(measurement.seconds)
                    peaks["\(store) \(step)", default: []].append(measurement.peakMiB)
                }
                report(
                    String(
                        format:
                            "run %d %@: gate %.2f s (%.0f MiB) · look of %d events %.2f s (%.0f MiB) · export of %d records %.2f s (%.0f MiB)",
                        index, store, gate.seconds, gate.peakMiB, events, look.seconds, look.peakMiB, records,
                        export.seconds, export.peakMiB))
            }
        }
        report("\n| step | SQLite (median) | PostgreSQL (median) | PostgreSQL / SQLite |\n|---|---|---|---|")
        for step in ["gate", "look", "export"] {
            let sqlite = ProcessMeasurement.median(times["SQLite \(step)"] ?? [])
            let postgres = ProcessMeasurement.median(times["PostgreSQL \(step)"] ?? [])
            report(
                String(
                    format: "| %@ | %.2f s, %.0f MiB | %.2f s, %.0f MiB | %.2f× |", step, sqlite,
                    ProcessMeasurement.median(peaks["SQLite \(step)"] ?? []), postgres,
                    ProcessMeasurement.median(peaks["PostgreSQL \(step)"] ?? []), postgres / sqlite))
        }
    }

    /// The lines of a file, counted in chunks: a child's peak RSS starts from this process's at spawn, so this
    /// one stays small.
    static func lines(in path: String) throws -> Int {
        var count = 0
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { count += chunk.count { $0 == 10 } }
        return count
    }
}

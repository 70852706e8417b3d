import Foundation

/// `agent-sim bench-export`: `feedback-export` against `sqlite3 -json` dumping the same rows, on a ledger filled
/// by the real tools.
package struct ExportBenchmark {
    /// Retained failed tasks to aim for.
    package var records = 100_000
    /// Timed runs of each.
    package var runs = 3
    /// Where to keep the working directory (reused when its ledger exists); a temporary one when `nil`.
    package var directory: String?

    package init(records: Int, runs: Int, directory: String?) {
        self.records = records
        self.runs = runs
        self.directory = directory
    }

    /// Builds the ledger when it is missing, then times both, alternating; `report` prints each line.
    package func run(tools executable: String, report: (String) -> Void) throws {
        let work = try BenchTools.workDirectory(kept: directory, prefix: "agent-canary-bench")
        defer { if directory == nil { try? FileManager.default.removeItem(at: work) } }
        let tools = BenchTools(beside: executable, work: work)
        let ledger = tools.path("ledger.sqlite")
        if !FileManager.default.fileExists(atPath: ledger) {
            report("building the ledger (the real tools; this takes a while)…")
            try tools.startRun(
                in: work, ledger: ledger,
                policy:
                    "agent: {name: bench-agent}\nrollout:\n  steps: [{weight: 50}]\nmonitor: {retain_successes: 0}\n")
            // Success −60 points: most tasks fail, so most are retained with content.
            try tools.measure(
                "agent-sim",
                [
                    "telemetry", "--scenario", "aa", "--success-shift=-0.6", "--weight", "100", "--conversations",
                    String(Int(Double(records) / 2.5 / 0.77)), "--tasks-only", "--out", tools.path("events.jsonl"),
                ])
        }
        let rollout =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: tools.path("out/rollout.json"))))
            as? [String: Any]
        let runId = rollout?["run_id"] as? String ?? ""
        if !FileManager.default.fileExists(atPath: tools.path("analysis.json")) {
            try tools.measure(
                "monitor",
                [
                    "analyze", "--run", runId, "--policy", tools.path("canary.yaml"), "--events",
                    tools.path("events.jsonl"), "--ledger", ledger, "--output", tools.path("analysis.json"),
                ], allowed: 0...1)
        }
        let query = ReferenceQueries.sqliteFailedTasks(runId: runId)
        var exportTimes: [Double] = []
        var sqliteTimes: [Double] = []
        var count = 0
        // Each measured process starts with no dirty pages of the other's output to write back, and its own output
        // is removed afterwards.
        func settle() {
            try? FileManager.default.removeItem(atPath: tools.path("dump.json"))
            sync()
        }
        for index in 1...runs {
            settle()
            let dataset = tools.path("dataset-\(index)")
            let export = try tools.measure(
                "feedback-export",
                ["--run", runId, "--kind", "failures", "--format", "native", "--out-dir", dataset, "--ledger", ledger])
            count = try BenchTools.manifestRecords(in: dataset)
            try? FileManager.default.removeItem(atPath: dataset)
            settle()
            let dump = try BenchTools.measure(
                "/bin/sh", ["-c", "sqlite3 -json \"$0\" \"$1\" > \"$2\"", ledger, query, tools.path("dump.json")])
            exportTimes.append(export.seconds)
            sqliteTimes.append(dump.seconds)
            report(
                String(
                    format:
                        "run %d: feedback-export %.3f s (CPU %.3f s, peak %.1f MiB) · sqlite3 -json %.3f s (CPU %.3f s, peak %.1f MiB)",
                    index, export.seconds, export.cpuSeconds, export.peakMiB, dump.seconds, dump.cpuSeconds,
                    dump.peakMiB))
        }
        report(
            String(
                format: "median over %d records: feedback-export %.3f s · sqlite3 -json %.3f s", count,
                ProcessMeasurement.median(exportTimes), ProcessMeasurement.median(sqliteTimes)))
    }
}

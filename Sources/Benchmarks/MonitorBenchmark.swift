import Foundation
import Simulation
import Telemetry
import ToolContract

/// `agent-sim bench-monitor`: the real `monitor analyze` against DuckDB computing the same aggregation on a
/// large native telemetry file.
package struct MonitorBenchmark {
    /// The monitor binary; the one beside `agent-sim` when `nil`.
    package var monitor: String?
    package var tasks = 1_000_000
    package var runs = 3
    /// DuckDB's threads.
    package var threads = 2
    /// python3 with the duckdb package.
    package var python = "python3"
    /// Where to keep the telemetry file (reused when it exists); a temporary one when `nil`.
    package var file: String?
    /// Leave out the tasks' content.
    package var noContent = false
    /// Also time two looks of `monitor analyze --run` per run.
    package var withRun = false

    package init() {}

    /// Writes the telemetry when it is missing, then times both, alternating; `report` prints each line.
    package func run(tools executable: String, report: (String) -> Void) throws {
        let directory = try BenchTools.workDirectory(prefix: "agent-canary-bench")
        defer { try? FileManager.default.removeItem(at: directory) }
        let tools = BenchTools(beside: executable, work: directory)
        let path = file ?? tools.path("events.jsonl")
        if file == nil || !FileManager.default.fileExists(atPath: path) { try writeTelemetry(to: path) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let binary = monitor ?? tools.tool("monitor")
        let script = directory.appendingPathComponent("duckdb_bench.py")
        try Data(ReferenceQueries.duckDBMonitorScript.utf8).write(to: script)
        report("monitor analyze vs DuckDB on \(tasks) native task events (\(size / 1_048_576) MiB), \(runs) runs each")
        var monitorTimes: [Double] = []
        var monitorPeaks: [Double] = []
        var duckTimes: [Double] = []
        var duckQueryTimes: [Double] = []
        var duckPeaks: [Double] = []
        for index in 1...runs {
            let measured = try BenchTools.measure(
                binary,
                [
                    "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--events", path,
                    "--ledger", tools.path("ledger-\(index).sqlite"), "--output", tools.path("analysis-\(index).json"),
                ], allowed: 0...1)
            monitorTimes.append(measured.seconds)
            monitorPeaks.append(measured.peakMiB)
            report(
                String(format: "run %d: monitor %.3f s, peak RSS %.1f MiB", index, measured.seconds, measured.peakMiB))
            if withRun {
                for (number, look) in try measureRun(tools: tools, binary: binary, path: path, index: index)
                    .enumerated()
                {
                    report(
                        String(
                            format: "run %d: monitor analyze --run, look %d: %.3f s, peak RSS %.1f MiB", index,
                            number + 1, look.seconds, look.peakMiB))
                }
            }
            let output = tools.path("duck-\(index).txt")
            let duck = try ProcessMeasurement.run(
                "/bin/sh",
                ["-c", "\"$0\" \"$1\" \"$2\" \"$3\" > \"$4\"", python, script.path, path, String(threads), output])
            guard duck.exitStatus == 0 else {
                throw BenchFailure(
                    "DuckDB (\(python) with the duckdb package) exited with \(duck.exitStatus)",
                    exitStatus: .unavailable)
            }
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            let query = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            duckTimes.append(duck.seconds)
            duckQueryTimes.append(query)
            duckPeaks.append(duck.peakMiB)
            report(
                String(
                    format: "run %d: duckdb %.3f s (query %.3f s, the rest is Python and import), peak RSS %.1f MiB",
                    index, duck.seconds, query, duck.peakMiB))
        }
        report(
            String(
                format: "median: monitor %.3f s (peak %.1f MiB) · duckdb %.3f s process, %.3f s query (peak %.1f MiB)",
                ProcessMeasurement.median(monitorTimes), monitorPeaks.max() ?? 0, ProcessMeasurement.median(duckTimes),
                ProcessMeasurement.median(duckQueryTimes), duckPeaks.max() ?? 0))
    }

    /// Writes `tasks` task events of a regressed fleet (seed 7, half on the candidate) to `path`.
    func writeTelemetry(to path: String) throws {
        var traffic = FleetTraffic()
        traffic.candidateShare = 0.5
        traffic.conversations = Int(Double(tasks) / traffic.tasksPerConversation * 1.02)
        traffic.conversationsPerSecond = 50
        traffic.content = !noContent
        let sink = try LineSink(path: path, append: false)
        var written = 0
        struct Done: Error {}
        do {
            try FleetSimulator(traffic: traffic, scenario: FleetScenario.regressed, seed: 7).generate { event in
                guard case .task(let task) = event else { return }
                guard written < tasks else { throw Done() }
                try sink.write(NativeEventWriter.line(.task(task)))
                written += 1
            }
        } catch is Done {}
        try sink.close()
    }

    /// Times `monitor analyze --run` on `path` twice on a fresh run started by the real tools: the first look
    /// stores every event; the second, on the same file under another name, loads the first look's rows first.
    func measureRun(tools: BenchTools, binary: String, path: String, index: Int) throws -> [ProcessMeasurement] {
        let work = tools.work.appendingPathComponent("run-\(index)")
        let ledger = work.appendingPathComponent("ledger.sqlite").path
        let runId = try tools.startRun(
            in: work, ledger: ledger, policy: "agent: {name: bench-agent}\nrollout:\n  steps: [{weight: 50}]\n"
        ).runId
        var looks: [ProcessMeasurement] = []
        for look in 1...2 {
            // A new name each time: the second look must read the whole file again, not resume after it.
            let events = work.appendingPathComponent("events-\(look).jsonl").path
            try? FileManager.default.removeItem(atPath: events)
            try FileManager.default.createSymbolicLink(atPath: events, withDestinationPath: path)
            looks.append(
                try BenchTools.measure(
                    binary,
                    [
                        "analyze", "--run", runId, "--policy", work.appendingPathComponent("canary.yaml").path,
                        "--events", events, "--ledger", ledger, "--output",
                        work.appendingPathComponent("analysis-\(look).json").path,
                    ], allowed: 0...1))
        }
        return looks
    }
}

import ArgumentParser
import CommandSupport
import Foundation
import Simulation
import Telemetry
import ToolContract

struct BenchMonitor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-monitor",
        abstract: "Benchmark: the real monitor binary against DuckDB on a large native telemetry file.",
        discussion: """
            Writes --tasks native task events (with input and output content, about 555 bytes a line; about 420 \
            without) to a temporary file, then \
            runs, --runs times each and alternating, `monitor analyze` on it and DuckDB (Python package \
            `duckdb`, --threads threads) computing the equivalent aggregation per version: tasks, success rate, \
            mean cost, p50 and p95 latency, rogue rate. Prints wall time and peak memory of every run and the \
            medians.
            """)

    @Option(help: "The monitor binary (default: next to this one).") var monitor: String?
    @Option(help: "Task events in the file.") var tasks = 1_000_000
    @Option(help: "Timed runs of each.") var runs = 3
    @Option(help: "DuckDB threads (this machine has 2 cores).") var threads = 2
    @Option(help: "python3 with the duckdb package.") var python = "python3"
    @Option(help: "Keep the telemetry file here instead of a temporary directory (reused when it exists).")
    var file: String?
    @Flag(help: "Leave out the tasks' input and output content (about 420 MB instead of 555 MB).")
    var noContent = false
    @Flag(
        help: """
            Also time two looks of `monitor analyze --run` per run, on a run started by the real benchmark-gate \
            and canary-deploy: the first stores every event in the ledger, the second loads them back.
            """)
    var withRun = false

    func run() throws {
        try ToolRunner.run {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("agent-canary-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = file ?? directory.appendingPathComponent("events.jsonl").path
            if file == nil || !FileManager.default.fileExists(atPath: path) {
                var traffic = FleetTraffic()
                traffic.candidateShare = 0.5
                traffic.conversations = Int(Double(tasks) / traffic.tasksPerConversation * 1.02)
                traffic.conversationsPerSecond = 50
                traffic.content = !noContent
                let sink = try LineSink(path: path, append: false)
                var written = 0
                struct Done: Error {}
                do {
                    try FleetSimulator(
                        traffic: traffic,
                        scenario: FleetScenario.regressed, seed: 7
                    ).generate {
                        event in
                        guard case .task(let task) = event else { return }
                        guard written < tasks else { throw Done() }
                        try sink.write(NativeEventWriter.line(.task(task)))
                        written += 1
                    }
                } catch is Done {}
                try sink.close()
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            let binary =
                monitor
                ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent("monitor").path
            let script = directory.appendingPathComponent("duckdb_bench.py")
            try Data(ReferenceQueries.duckDBMonitorScript.utf8).write(to: script)
            ToolRunner.printResult(
                "monitor analyze vs DuckDB on \(tasks) native task events (\(size / 1_048_576) MiB), \(runs) runs each")
            var monitorTimes: [Double] = []
            var monitorPeaks: [Double] = []
            var duckTimes: [Double] = []
            var duckQueryTimes: [Double] = []
            var duckPeaks: [Double] = []
            for index in 1...runs {
                let ledger = directory.appendingPathComponent("ledger-\(index).sqlite").path
                let measured = try ProcessMeasurement.run(
                    binary,
                    [
                        "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--events", path,
                        "--ledger", ledger, "--output", directory.appendingPathComponent("analysis-\(index).json").path,
                    ])
                guard measured.exitStatus <= 1 else {
                    ToolRunner.printError("monitor exited with \(measured.exitStatus)")
                    return ExitStatus.software.rawValue
                }
                monitorTimes.append(measured.seconds)
                monitorPeaks.append(measured.peakMiB)
                ToolRunner.printResult(
                    String(
                        format: "run %d: monitor %.3f s, peak RSS %.1f MiB", index, measured.seconds, measured.peakMiB))
                if withRun {
                    let looks = try measureRun(binary: binary, path: path, directory: directory, index: index)
                    for (number, look) in looks.enumerated() {
                        ToolRunner.printResult(
                            String(
                                format: "run %d: monitor analyze --run, look %d: %.3f s, peak RSS %.1f MiB", index,
                                number + 1, look.seconds, look.peakMiB))
                    }
                }
                let output = directory.appendingPathComponent("duck-\(index).txt").path
                let duck = try ProcessMeasurement.run(
                    "/bin/sh",
                    ["-c", "\"$0\" \"$1\" \"$2\" \"$3\" > \"$4\"", python, script.path, path, String(threads), output])
                guard duck.exitStatus == 0 else {
                    ToolRunner.printError("DuckDB (\(python) with the duckdb package) exited with \(duck.exitStatus)")
                    return ExitStatus.unavailable.rawValue
                }
                let query =
                    Double(
                        (try? String(contentsOfFile: output, encoding: .utf8))?.trimmingCharacters(
                            in: .whitespacesAndNewlines) ?? "") ?? 0
                duckTimes.append(duck.seconds)
                duckQueryTimes.append(query)
                duckPeaks.append(duck.peakMiB)
                ToolRunner.printResult(
                    String(
                        format:
                            "run %d: duckdb %.3f s (query %.3f s, the rest is Python and import), peak RSS %.1f MiB",
                        index, duck.seconds, query, duck.peakMiB))
            }
            ToolRunner.printResult(
                String(
                    format:
                        "median: monitor %.3f s (peak %.1f MiB) · duckdb %.3f s process, %.3f s query (peak %.1f MiB)",
                    ProcessMeasurement.median(monitorTimes), monitorPeaks.max() ?? 0,
                    ProcessMeasurement.median(duckTimes),
                    ProcessMeasurement.median(duckQueryTimes),
                    duckPeaks.max() ?? 0))
            return 0
        }
    }
}

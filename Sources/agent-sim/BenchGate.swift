import ArgumentParser
import Benchmarks
import CommandSupport
import Foundation
import Simulation
import ToolContract

struct BenchGate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-gate",
        abstract: "Benchmark: time the real benchmark-gate binary on a large simulated suite.",
        discussion: """
            Writes a suite of --tasks × --trials attempts per side to a temporary directory, then runs \
            benchmark-gate on it --runs times and prints the wall time and peak memory of each run.
            """)

    @Option(help: "The benchmark-gate binary (default: next to this one).")
    var gate: String?
    @Option(help: "Tasks in the suite.")
    var tasks = 10_000
    @Option(help: "Trials per task.")
    var trials = 5
    @Option(help: "Bootstrap resamples.")
    var resamples = 2_000
    @Option(help: "Timed runs.")
    var runs = 3

    func run() throws {
        try ToolRunner.run {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("agent-canary-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let scenario = SuiteScenario(tasks: tasks, trials: trials, successShift: -0.01, costRatio: 1.03)
            for (name, version, isCandidate) in [("baseline", "1.4.0", false), ("candidate", "1.5.0", true)] {
                let text = SuiteSimulator.results(scenario, version: version, isCandidate: isCandidate, seed: 11)
                try Data(text.utf8).write(to: directory.appendingPathComponent("\(name).jsonl"))
            }
            let policy = directory.appendingPathComponent("canary.yaml")
            try Data("agent:\n  name: bench-agent\ngate:\n  bootstrap_resamples: \(resamples)\n".utf8).write(to: policy)
            let binary =
                gate
                ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent("benchmark-gate").path
            let size =
                (try? FileManager.default.attributesOfItem(
                    atPath: directory.appendingPathComponent("candidate.jsonl").path)[.size] as? Int) ?? 0
            ToolRunner.printResult(
                "benchmark-gate on \(tasks) tasks × \(trials) trials per side (\(tasks * trials) rows, "
                    + "\(size / 1_048_576) MiB each), \(resamples) bootstrap resamples")
            var times: [Double] = []
            for index in 1...runs {
                let ledger = directory.appendingPathComponent("ledger-\(index).sqlite").path
                let measurement = try ProcessMeasurement.run(
                    binary,
                    [
                        "--candidate", directory.appendingPathComponent("candidate.jsonl").path,
                        "--baseline", directory.appendingPathComponent("baseline.jsonl").path,
                        "--policy", policy.path, "--ledger", ledger,
                        "--output", directory.appendingPathComponent("gate-\(index).json").path,
                    ])
                guard measurement.exitStatus <= 1 else {
                    ToolRunner.printError("benchmark-gate exited with \(measurement.exitStatus)")
                    return ExitStatus.software.rawValue
                }
                times.append(measurement.seconds)
                ToolRunner.printResult(
                    String(format: "run %d: %.3f s, peak RSS %.1f MiB", index, measurement.seconds, measurement.peakMiB)
                )
            }
            ToolRunner.printResult(String(format: "median: %.3f s", ProcessMeasurement.median(times)))
            return 0
        }
    }
}

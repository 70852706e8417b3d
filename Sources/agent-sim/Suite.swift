import ArgumentParser
import CommandSupport
import Foundation
import Simulation

struct Suite: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write simulated benchmark results (native JSONL) for a baseline and a candidate.",
        discussion: "Both files come from one seed, so they are results of the same suite (a paired design).")

    @Option(help: "Directory for baseline.jsonl and candidate.jsonl.")
    var outDir = "."
    @Option(help: "Tasks in the suite.")
    var tasks = 200
    @Option(help: "Trials per task.")
    var trials = 3
    @Option(help: "The baseline's mean success probability.")
    var baselineSuccess = 0.78
    @Option(
        parsing: .unconditional,
        help: "Change of the candidate's success probability per task (-0.05 = 5 points worse).")
    var successShift = 0.0
    @Option(help: "Candidate cost / baseline cost.")
    var costRatio = 1.0
    @Option(help: "Candidate latency / baseline latency.")
    var latencyRatio = 1.0
    @Option(help: "Probability that a candidate attempt makes an unauthorized tool call.")
    var rogueRate = 0.0
    @Option(help: "The baseline's version.")
    var baselineVersion = "1.4.0"
    @Option(help: "The candidate's version.")
    var candidateVersion = "1.5.0"
    @Option(help: "Random seed.")
    var seed: UInt64 = 7

    func validate() throws {
        guard tasks > 0, trials > 0 else { throw ValidationError("--tasks and --trials must be positive.") }
        guard (0.01...0.99).contains(baselineSuccess) else {
            throw ValidationError("--baseline-success must be within 0.01…0.99.")
        }
    }

    func run() throws {
        try ToolRunner.run {
            let scenario = SuiteScenario(
                tasks: tasks, trials: trials, baselineSuccess: baselineSuccess, successShift: successShift,
                costRatio: costRatio, latencyRatio: latencyRatio, rogueRate: rogueRate)
            try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
            for (name, version, isCandidate) in [
                ("baseline", baselineVersion, false), ("candidate", candidateVersion, true),
            ] {
                let text = SuiteSimulator.results(scenario, version: version, isCandidate: isCandidate, seed: seed)
                let path = (outDir as NSString).appendingPathComponent("\(name).jsonl")
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                ToolRunner.printResult("\(path): \(tasks * trials) attempts of \(version)")
            }
            return 0
        }
    }
}

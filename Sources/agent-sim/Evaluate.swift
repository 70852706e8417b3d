import ArgumentParser
import CommandSupport
import Evaluation
import Foundation
import Vocabulary

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decision-quality benchmark: the monitor against Flagger, Argo Rollouts, Kayenta and naive peeking.",
        discussion: """
            Monte Carlo canaries of every scenario (A/A, success −2/−4/−8 points, cost +20 %, rogue actions 1 in \
            2,000 tasks, latency spread ×1.5, low traffic, a sample-ratio fault) on the same simulated streams: \
            10 → 25 → 50 % in three 10-minute intervals per step. The monitor is the real judge with the default \
            policy, looking every minute (monitor watch's default); the others check once per interval with their \
            published rules and the thresholds "Decision quality" names. The A/A canaries run first; the other \
            rules are then also tuned, on those canaries, to roll back as many of them as the monitor did (never \
            fewer), and every other scenario is run at both settings (exposure compared at equal false rollback rate). \
            Prints the tables and writes decision-benchmark.json and decision-benchmark.md to --out-dir.
            """)

    @Option(help: "Canaries per regression scenario.") var canaries = 200
    @Option(help: "Canaries per A/A-like scenario (A/A, low traffic, sample-ratio fault).") var aaCanaries = 1000
    @Option(help: "New conversations per 10-minute interval.") var conversations = 600
    @Option(help: "Random seed.") var seed: UInt64 = 20_261_126
    @Option(name: .customLong("out-dir"), help: "Where the JSON and markdown go.") var outDir = "agent-canary-out"

    func run() throws {
        try ToolRunner.run {
            var benchmark = DecisionBenchmark()
            benchmark.canaries = canaries
            benchmark.aaCanaries = aaCanaries
            benchmark.conversationsPerInterval = conversations
            benchmark.seed = seed
            let started = Date()
            let report = benchmark.run { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
            let markdown = DecisionBenchmark.markdown(report, baselineSuccess: 0.82)
            try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.nonConformingFloatEncodingStrategy = .convertToString(
                positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            try encoder.encode(report).write(to: URL(fileURLWithPath: "\(outDir)/decision-benchmark.json"))
            try Data(markdown.utf8).write(to: URL(fileURLWithPath: "\(outDir)/decision-benchmark.md"))
            ToolRunner.printResult(markdown)
            ToolRunner.printResult(
                String(
                    format: "seed %llu; %.0f s; written to %@/decision-benchmark.{json,md}", seed,
                    Date().timeIntervalSince(started), outDir))
            return 0
        }
    }
}

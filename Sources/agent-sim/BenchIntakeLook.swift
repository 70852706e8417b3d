import ArgumentParser
import Benchmarks
import CommandSupport

struct BenchIntakeLook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-intake-look",
        abstract: "Benchmark: a look over what monitor serve received against a look over the same native events.",
        discussion: """
            Simulates --tasks tasks (seed 7, a regressed candidate on half the traffic, with content) and writes \
            each as a native event line and as the OTLP spans of the simulator's GenAI instrumentation (root, \
            chat and tool spans, tokens, an evaluation event). Sends the spans to the real monitor serve (protobuf, \
            100 traces a request, 4 connections) on a run started by the real benchmark-gate and canary-deploy, \
            then times monitor analyze --run --intake against monitor analyze --run --events on the native file \
            (a copy of the ledger taken before the intake) and monitor analyze --events without a run. Prints \
            the intake's spans per second, the ledger's bytes per span and per task, each look's wall time and \
            peak RSS, and the ratios; exits 70 when the two looks count different tasks.
            """)

    @Option(help: "The monitor binary (default: next to this one).") var monitor: String?
    @Option(help: "Tasks simulated.") var tasks = 1_000_000
    @Flag(help: "Also time monitor analyze --otlp on the spans as one OTLP/JSON file.") var otlpFile = false
    @Option(help: "Keep the working directory here instead of a temporary one.") var keep: String?

    func run() throws {
        try ToolRunner.run {
            var benchmark = IntakeLookBenchmark()
            benchmark.monitor = monitor
            benchmark.tasks = tasks
            benchmark.otlpFile = otlpFile
            benchmark.keep = keep
            try benchmark.run(tools: CommandLine.arguments[0], report: ToolRunner.printResult)
            return 0
        }
    }
}

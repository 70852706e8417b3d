import ArgumentParser
import Benchmarks
import CommandSupport

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
            var benchmark = MonitorBenchmark()
            benchmark.monitor = monitor
            benchmark.tasks = tasks
            benchmark.runs = runs
            benchmark.threads = threads
            benchmark.python = python
            benchmark.file = file
            benchmark.noContent = noContent
            benchmark.withRun = withRun
            try benchmark.run(tools: CommandLine.arguments[0], report: ToolRunner.printResult)
            return 0
        }
    }
}

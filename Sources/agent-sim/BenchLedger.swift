import ArgumentParser
import Benchmarks
import CommandSupport

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
            try LedgerBenchmark(
                postgres: postgres, tasks: tasks, trials: trials, conversations: conversations, records: records,
                runs: runs
            ).run(tools: CommandLine.arguments[0], report: ToolRunner.printResult)
            return 0
        }
    }
}

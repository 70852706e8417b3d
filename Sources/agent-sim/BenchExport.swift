import ArgumentParser
import Benchmarks
import CommandSupport

struct BenchExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-export",
        abstract: "Benchmark: feedback-export against sqlite3 -json on a ledger filled by the real tools.",
        discussion: """
            Builds a ledger with the real binaries — a simulated suite through benchmark-gate, canary-deploy \
            start, simulated telemetry through monitor analyze --run — so that about --records failed tasks \
            are retained with their content, then times, --runs times each and alternating, feedback-export \
            --kind failures --format native and sqlite3 -json dumping the same rows.
            """)

    @Option(help: "Retained failed tasks to aim for.") var records = 100_000
    @Option(help: "Timed runs of each.") var runs = 3
    @Option(help: "Keep the working directory here (reused when its ledger exists).") var directory: String?

    func run() throws {
        try ToolRunner.run {
            try ExportBenchmark(records: records, runs: runs, directory: directory).run(
                tools: CommandLine.arguments[0], report: ToolRunner.printResult)
            return 0
        }
    }
}

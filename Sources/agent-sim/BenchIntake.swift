import ArgumentParser
import Benchmarks
import CommandSupport

struct BenchIntake: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-intake",
        abstract: "Benchmark: the real monitor serve under OTLP/HTTP load, load generator included.",
        discussion: """
            Starts monitor serve on 127.0.0.1 (a new SQLite ledger unless --ledger names one, then the PostgreSQL \
            ledger --postgres names), pre-builds protobuf batches of --traces traces of three spans each \
            (invoke_agent with tokens and an evaluation result event, chat, execute_tool; every id distinct), \
            posts them over --connections keep-alive connections as fast as the server answers for \
            --seconds, then paced at half that rate for as long. Prints the spans per second acknowledged \
            (each 200 comes after the batch's commit), p50 and p99 request latency of both phases and the \
            server's peak RSS.
            """)

    @Option(help: "The monitor binary (default: next to this one).") var monitor: String?
    @Option(help: ArgumentHelp("The ledger (default: a new SQLite file).", valueName: "path|url")) var ledger: String?
    @Option(help: ArgumentHelp("Then the same on this PostgreSQL ledger (a new database).", valueName: "url"))
    var postgres: String?
    @Option(help: "Seconds of each phase.") var seconds = 10.0
    @Option(help: "Connections (one sending thread each).") var connections = 4
    @Option(help: "Traces per request.") var traces = 100

    func run() throws {
        try ToolRunner.run {
            var benchmark = IntakeBenchmark()
            benchmark.monitor = monitor
            benchmark.ledger = ledger
            benchmark.postgres = postgres
            benchmark.seconds = seconds
            benchmark.connections = connections
            benchmark.traces = traces
            try benchmark.run(tools: CommandLine.arguments[0], report: ToolRunner.printResult)
            return 0
        }
    }
}

import ArgumentParser
import CommandSupport
import ToolContract

@main
struct BenchmarkGateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark-gate",
        abstract: "Compare a candidate agent with its baseline on the same benchmark suite, and gate the release.",
        discussion: """
            Exit status: 0 pass (or a non-blocking inconclusive), 1 fail or blocking inconclusive, 64 usage \
            error, 65 bad input data, 66 missing input file, 70 internal error.
            """,
        version: agentCanaryVersion,
        subcommands: [Compare.self, History.self, LedgerCommand.self],
        defaultSubcommand: Compare.self)
}

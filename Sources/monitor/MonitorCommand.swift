import ArgumentParser
import CommandSupport
import ToolContract

@main
struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Judge a canary from agent telemetry: promote, continue, hold or roll back, with the evidence.",
        discussion: """
            Exit status: 0 promote, continue or hold; 1 rollback (and watch's timeout); 64 usage error; 65 bad \
            input (malformed telemetry, an unknown version, a query Prometheus refuses); 66 missing file, run or \
            look; 69 Prometheus unavailable; 70 internal error; 143 watch stopped by SIGTERM between looks.
            """,
        version: agentCanaryVersion,
        subcommands: [Analyze.self, Watch.self, Rejudge.self, Serve.self, LedgerCommand.self],
        defaultSubcommand: Analyze.self)
}

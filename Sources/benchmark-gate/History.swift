import ArgumentParser
import CommandSupport
import Gate
import RunLedger
import Stages

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the gates recorded for an agent, newest first.")

    @Option(help: ArgumentHelp("The agent's name.", valueName: "name"))
    var agent: String

    @Option(help: "At most this many gates.")
    var limit = 20

    @Flag(help: "Print JSON lines instead of a table.")
    var json = false

    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        try ToolRunner.run {
            let gates = try Ledger.existing(at: ledger.path).gateHistory(agent: agent, limit: limit)
            ToolRunner.printResult(try GateSummaryText.history(gates, json: json))
            return 0
        }
    }
}

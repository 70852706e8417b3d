import Analysis
import ArgumentParser
import CommandSupport
import Stages

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Take one look: read telemetry, judge, record.")
    @OptionGroup var look: LookOptions
    @OptionGroup var ci: CIOptions
    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        try ToolRunner.run {
            let outcome = try MonitorStage.run(look.request(ledger: ledger, ci: ci))
            try look.show(outcome)
            return outcome.exitStatus
        }
    }
}

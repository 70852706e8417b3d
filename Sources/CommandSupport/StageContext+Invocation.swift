import CIOutput
import Foundation
import Stages

extension StageContext {
    /// This process's stage: the `--ledger` it was given, its command line and environment, its CI options (none
    /// when `ci` is `nil`) and a logger labelled after the tool.
    package static func invocation(tool: String, ledger: LedgerOptions, ci: CIOptions?) -> StageContext {
        StageContext(
            ledgerPath: ledger.path, arguments: Array(CommandLine.arguments.dropFirst()),
            environment: ProcessInfo.processInfo.environment, ci: ci?.destinations ?? CIDestinations(),
            logger: ToolRunner.logger(label: tool))
    }
}

import ArgumentParser
import CommandSupport
import Foundation
import Rollout

/// The options every state-changing command shares.
struct DeployOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Where rollout.json and the rendered configuration go.", valueName: "dir"))
    var outDir = "canary-out"

    @Option(help: ArgumentHelp("A command that receives the rendered configuration on stdin.", valueName: "cmd"))
    var apply: String?

    @OptionGroup var ci: CIOptions
    @OptionGroup var ledger: LedgerOptions

    var context: DeployContext {
        DeployContext(
            outDir: outDir, apply: apply, ci: ci.destinations, ledgerPath: ledger.path,
            arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
    }
}

/// Runs a deploy and prints its outcome.
enum DeployPrinter {
    static func run(_ body: (CanaryDeploy) throws -> DeployOutcome) throws {
        try ToolRunner.run {
            let outcome = try body(CanaryDeploy(logger: ToolRunner.logger(label: "canary-deploy")))
            ToolRunner.printResult(RolloutText.render(outcome))
            return 0
        }
    }
}

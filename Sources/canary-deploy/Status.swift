import ArgumentParser
import CIOutput
import CommandSupport
import Foundation
import Rollout
import Stages
import ToolContract

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a rollout's phase, step, weight and history.")
    @OptionGroup var target: RunOption
    @Flag(help: "Print rollout.json instead of the summary.") var json = false
    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        try ToolRunner.run {
            var stage = StageContext.invocation(tool: "canary-deploy", ledger: ledger, ci: nil)
            stage.arguments = []
            let context = DeployContext(outDir: "canary-out", apply: nil, stage: stage)
            let artifact = try RolloutController(logger: ToolRunner.logger(label: "canary-deploy"))
                .status(runId: target.runID, context: context)
            ToolRunner.printResult(
                json
                    ? String(decoding: try ArtifactCoding.encode(artifact), as: UTF8.self)
                    : RolloutText.summary(artifact))
            return 0
        }
    }
}

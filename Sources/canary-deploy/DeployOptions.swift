import ArgumentParser
import CommandSupport
import Foundation
import Notifications
import Rollout
import Stages
import Vocabulary

/// The options every state-changing command shares.
struct DeployOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Where rollout.json and the rendered configuration go.", valueName: "dir"))
    var outDir = "canary-out"

    @Option(help: ArgumentHelp("A command that receives the rendered configuration on stdin.", valueName: "cmd"))
    var apply: String?

    @OptionGroup var ci: CIOptions
    @OptionGroup var ledger: LedgerOptions
    @OptionGroup var notify: NotifyOptions

    var context: DeployContext {
        var context = DeployContext(
            outDir: outDir, apply: apply, stage: .invocation(tool: "canary-deploy", ledger: ledger, ci: ci))
        context.notifyTimeout = notify.timeout
        context.reportURL = notify.resolvedReportURL
        return context
    }
}

/// `--run ID`: the rollout a command acts on.
struct RunOption: ParsableArguments {
    @Option(name: .customLong("run"), help: "The run (default: the latest rollout).")
    var runID: String?
}

/// Runs a deploy and prints its outcome.
enum DeployPrinter {
    /// Carries out a transition backed by `evidence` (`--analysis` or `--force --reason`).
    static func transition(_ command: RolloutCommand, run: String?, evidence: Evidence, options: DeployOptions) throws {
        try Self.run { deploy in
            try deploy.transition(
                command, runId: run, analysisPath: evidence.analysis, force: evidence.force, reason: evidence.reason,
                context: options.context)
        }
    }

    /// Carries out a transition that needs no evidence (rollback, pause, resume).
    static func transition(_ command: RolloutCommand, run: String?, reason: String?, options: DeployOptions) throws {
        try Self.run { deploy in
            try deploy.transition(
                command, runId: run, analysisPath: nil, force: false, reason: reason, context: options.context)
        }
    }

    static func run(_ body: (RolloutController) throws -> DeployOutcome) throws {
        try ToolRunner.run {
            let outcome = try body(RolloutController(logger: ToolRunner.logger(label: "canary-deploy")))
            ToolRunner.printResult(outcome.text)
            for report in outcome.notifications { ToolRunner.printResult("notified \(report.text)") }
            return 0
        }
    }
}

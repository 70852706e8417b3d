import Analysis
import AnalysisCore
import Artifacts
import CIOutput
import Logging
import Rollout
import Vocabulary

/// The monitor's stage: one look and, with `--act`, its decision carried out by the rollout controller, with
/// the same ledger rules and records as a person's `canary-deploy` command. The analysis knows nothing of
/// rollouts' transitions; this is where the two meet.
package struct MonitorStage: Sendable {
    let logger: Logger

    /// A stage logging to `logger`.
    package init(logger: Logger) {
        self.logger = logger
    }

    /// Takes the look `request` asks for, acts on it when asked, then notifies and publishes.
    package func run(_ request: LookRequest) throws -> LookOutcome {
        let monitor = Monitor(logger: logger)
        let look = try monitor.look(request)
        let acted = request.act ? try act(on: look) : nil
        return try monitor.finish(look, acted: acted)
    }

    /// Carries a look's decision out: a rollback rolls back, a promote advances (promotes after the last step);
    /// nothing for continue or hold, or when the rollout is no longer progressing or paused.
    func act(on look: RecordedLook) throws -> RolloutAction? {
        guard let rollout = look.rollout, rollout.phase == .progressing || rollout.phase == .paused else {
            return nil
        }
        let command: RolloutCommand
        switch look.artifact.judgement.decision {
        case .rollback: command = .rollback
        case .promote: command = rollout.stepIndex >= rollout.stepCount - 1 ? .promote : .advance
        case .continue, .hold: return nil
        }
        let request = look.request
        var context = DeployContext(
            outDir: request.deployOutDir, apply: nil, ci: CIDestinations(), ledgerPath: request.ledgerPath,
            arguments: request.arguments, environment: request.environment)
        context.notifyTimeout = request.notifyTimeout
        context.reportURL = request.reportURL
        let outcome = try RolloutController(logger: logger).transition(
            command, runId: rollout.runId, analysisPath: request.outputPath, force: false, reason: nil,
            context: context)
        return RolloutAction(
            description: "\(command.rawValue): now \(outcome.artifact.phase) at \(outcome.artifact.weight) %",
            notifications: outcome.notifications)
    }
}

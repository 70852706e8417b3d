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
package enum MonitorStage {
    /// Takes the look `request` asks for, acts on it when asked, then notifies and publishes.
    package static func run(_ request: LookRequest) throws -> LookOutcome {
        let look = try Monitor.look(request)
        let acted = request.act ? try act(on: look) : nil
        return try Monitor.finish(look, acted: acted)
    }

    /// Carries a look's decision out: a rollback rolls back, a promote advances (promotes after the last step);
    /// nothing for continue or hold, or when the rollout is no longer progressing or paused.
    static func act(on look: RecordedLook) throws -> RolloutAction? {
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
        // The transition publishes no CI report of its own: the look's is the step's.
        var stage = request.stage
        stage.ci = CIDestinations()
        var context = DeployContext(outDir: request.deployOutDir, apply: nil, stage: stage)
        context.notifyTimeout = request.notifyTimeout
        context.reportURL = request.reportURL
        let outcome = try RolloutController(logger: stage.logger).transition(
            command, runId: rollout.runId, analysisPath: request.outputPath, force: false, reason: nil,
            context: context)
        return RolloutAction(
            description: "\(command.rawValue): now \(outcome.artifact.phase) at \(outcome.artifact.weight) %",
            notifications: outcome.notifications)
    }
}

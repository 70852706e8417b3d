import Notifications
import Policy
import Rollout
import RunLedger
import Vocabulary

/// Telling the policy's notify targets what a command did, once it is committed.
extension RolloutController {
    /// Tells the rollout's notify targets of a committed transition; returns one report per target.
    func notify(
        _ transition: TransitionRecord, id: Int64, state: RolloutRecord, run: RunRecord, targets: [NotifyTarget],
        analysis: AnalysisEvidence?, context: DeployContext, ledger: Ledger
    ) -> [DeliveryReport] {
        let event = NotifyEvent(transition.command)
        let notice = ReleaseNotice(
            event: event, forced: transition.forced, source: "canary-deploy", agent: run.agent, runId: run.id,
            baselineVersion: run.baselineVersion, candidateVersion: run.candidateVersion, step: state.stepIndex + 1,
            weight: state.weight, fromWeight: transition.fromWeight, decision: analysis?.decision,
            reasons: analysis?.reasons ?? [transition.reason], metrics: analysis?.metrics ?? [],
            actor: transition.actor, reportURL: context.reportURL,
            idempotencyKey: "agent-canary:\(run.id):transition:\(id)", createdAt: transition.createdAt)
        let notifier = Notifier(
            targets: targets, environment: context.stage.environment, timeout: context.notifyTimeout, logger: logger)
        return notifier.send(notice, ledger: ledger)
    }
}

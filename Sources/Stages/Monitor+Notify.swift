import Analysis
import AnalysisCore
import Artifacts
import Notifications
import Policy
import RunLedger
import Vocabulary

extension Monitor {
    /// Tells `targets` of a look's rollback or hold decision; returns one report per target.
    static func notify(
        _ artifact: AnalysisArtifact, view: RolloutView, targets: [NotifyTarget], request: LookRequest, ledger: Ledger
    ) -> [DeliveryReport] {
        let metrics = artifact.judgement.metrics.map { metric in
            ReleaseNotice.Metric(
                name: metric.name, role: metric.role, status: metric.status, baseline: metric.baseline.value,
                candidate: metric.candidate.value, difference: metric.difference, ratio: metric.ratio,
                ciLow: metric.ciLow, ciHigh: metric.ciHigh)
        }
        let notice = ReleaseNotice(
            event: artifact.judgement.decision == .rollback ? .rollback : .hold, forced: false, source: "monitor",
            agent: artifact.agent, runId: view.run.id, baselineVersion: artifact.baselineVersion,
            candidateVersion: artifact.candidateVersion, step: artifact.step, weight: artifact.weight,
            fromWeight: nil, decision: artifact.judgement.decision, reasons: artifact.judgement.reasons,
            metrics: metrics,
            actor: "monitor", reportURL: request.reportURL,
            idempotencyKey: "agent-canary:\(view.run.id):look:\(artifact.lookId)", createdAt: artifact.createdAt)
        let notifier = Notifier(
            targets: targets, environment: request.stage.environment, timeout: request.notifyTimeout,
            logger: request.stage.logger)
        return notifier.send(notice, ledger: ledger)
    }
}

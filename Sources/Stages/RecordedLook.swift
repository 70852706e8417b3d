import Analysis
import Artifacts
import CIOutput
import Notifications
import Policy
import RunLedger
import Vocabulary

/// A look recorded in the ledger with its outputs, before it acts, notifies or publishes (see
/// ``Monitor/finish(_:acted:)``).
package struct RecordedLook {
    /// `analysis.json`, as written.
    package var artifact: AnalysisArtifact
    /// The CI report, written to the CI files already, published to GitHub last.
    var report: CIReport
    package var warnings: [String]
    package var exitStatus: Int32
    var view: RolloutView?
    /// Whom a rollback or hold is told: the policy's targets, else those kept with the rollout.
    var notify: [NotifyTarget]?
    var ledger: Ledger
    /// The look's stage, recorded already; it publishes the report.
    var recorder: StageRecorder
    package var request: LookRequest

    /// Where the look's rollout stood, for acting on its decision; `nil` without a rollout in the ledger.
    package var rollout: (runId: String, phase: RolloutPhase, stepIndex: Int, stepCount: Int)? {
        guard let view, let state = view.state else { return nil }
        return (view.run.id, state.phase, state.stepIndex, view.steps.count)
    }
}

/// The rollout transition a look carried out (`--act`).
package struct RolloutAction: Sendable {
    /// What it did, as the summary prints it: `advance: now progressing at 25 %`.
    package var description: String
    /// How the transition's notifications went, one report per target.
    package var notifications: [DeliveryReport]

    package init(description: String, notifications: [DeliveryReport]) {
        self.description = description
        self.notifications = notifications
    }
}

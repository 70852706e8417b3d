import Analysis
import AnalysisCore
import Foundation
import Policy
import RunLedger
import ToolContract
import Vocabulary

/// The rollout a look belongs to: its run, the rollout's state when one started, the steps and notify targets
/// kept with it.
struct RolloutView {
    var run: RunRecord
    var state: RolloutRecord?
    var steps: [RolloutStep]
    /// The notify targets kept with the rollout when it started.
    var notify: [NotifyTarget]?

    /// The view of run `runId` in `ledger`, after the outputs of a look killed after its commit (before its
    /// renames) are finished; the policy's steps when the run has no rollout.
    static func load(runId: String, from ledger: Ledger, policy: ReleasePolicy, recorder: StageRecorder) throws
        -> RolloutView
    {
        guard let run = try ledger.run(id: runId) else {
            throw MonitorError.notFound("run \(runId) is not in the ledger \(Ledger.displayName(recorder.ledgerPath))")
        }
        try recorder.rollForward(in: ledger, runId: runId)
        let state = try ledger.rollout(runId: runId)
        var steps = policy.rollout.steps
        var notify: [NotifyTarget]?
        if let state,
            let section = try? ArtifactCoding.makeDecoder().decode(
                RolloutSection.self, from: Data(state.policyJSON.utf8))
        {
            steps = section.steps
            notify = section.notify
        }
        return RolloutView(run: run, state: state, steps: steps, notify: notify)
    }

    /// Where the look stands in the rollout at `now` (nothing without a rollout), and when its step started
    /// (seconds since 1970).
    static func step(of view: RolloutView?, mode: RolloutMode, now: Date) -> (StepContext, stepStart: Double?) {
        var step = StepContext(
            mode: mode, stepIndex: nil, stepCount: nil, weight: nil, minTasks: 0, minDurationSeconds: 0,
            elapsedSeconds: nil, phase: nil)
        guard let view, let state = view.state else { return (step, nil) }
        let index = min(state.stepIndex, max(0, view.steps.count - 1))
        step.stepIndex = state.stepIndex
        step.stepCount = view.steps.count
        step.weight = state.weight
        step.phase = state.phase
        if index < view.steps.count {
            step.minTasks = view.steps[index].minTasks
            step.minDurationSeconds = view.steps[index].minDurationSeconds
        }
        guard let started = ISO8601DateFormatter().date(from: state.stepStartedAt) else { return (step, nil) }
        step.elapsedSeconds = max(0, Int(now.timeIntervalSince(started)))
        return (step, started.timeIntervalSince1970)
    }
}

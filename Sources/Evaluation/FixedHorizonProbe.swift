import AnalysisCore
import Policy
import Telemetry
import Vocabulary

/// The fixed-horizon sample of a scenario's design: the candidate tasks a single test of the primary metric's
/// margin (at its α and the policy's power) needs at the schedule's split, conversation clustering included.
///
/// The probe accumulates a canary's scheduled intervals and judges once at the schedule's end, with the
/// group-sequential method so that the look reports both the information the fixed design needs and the
/// information observed; the candidate tasks scale by their ratio (information grows with the tasks at a
/// fixed split).
struct FixedHorizonProbe {
    var accumulator = Accumulator(
        baselineVersion: "1.4.0", candidateVersion: "1.5.0", stepStartedAt: nil, shadowMode: false)
    private(set) var candidateTasks: Double?

    /// Adds `interval`; after the schedule's last interval, computes ``candidateTasks``.
    mutating func observe(_ interval: CanaryInterval, schedule: EvaluationSchedule) {
        guard interval.index < schedule.scheduledIntervals else { return }
        if interval.index % schedule.intervalsPerStep == 0 { accumulator.startStep(at: interval.start) }
        for event in interval.events {
            accumulator.add(event, arm: accumulator.arm(of: event.version) ?? .baseline)
        }
        guard interval.index + 1 == schedule.scheduledIntervals else { return }
        var policy = MonitorSection()
        policy.method = .groupSequential
        let step = StepContext(
            mode: .canary, stepIndex: schedule.step(at: interval.index), stepCount: schedule.weights.count,
            weight: interval.weight, minTasks: 0, minDurationSeconds: 0,
            elapsedSeconds: Int(schedule.intervalSeconds) * schedule.intervalsPerStep, phase: .progressing)
        var inputs = accumulator.inputs(
            agent: "support-agent", runId: nil, step: step, monitor: policy, policySha256: "", prometheus: [:])
        inputs.earlierInformation = [:]
        let judgement = Judge.judge(inputs)
        guard let look = judgement.metrics.lazy.compactMap(\.sequential).first, look.information > 0 else { return }
        candidateTasks = Double(inputs.tasks.candidate) * look.fixedInformation / look.information
    }
}

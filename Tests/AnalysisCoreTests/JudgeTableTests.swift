import AnalysisCore
import Policy
import Telemetry
import Testing
import Vocabulary

/// The judge as a table: look inputs in, judgement out. Each row starts from one look that promotes (two
/// identical arms, enough tasks, the default policy) and changes the facts the row names; its expectation is
/// the decision and the first words of the reason that `Judge.decide`'s precedence gives (rollback over hold
/// over continue over promote).
@Suite("Judge: look inputs to judgement")
struct JudgeTableTests {
    /// A fleet of one-task conversations per arm, identical by construction: 90 % success, costs cycling
    /// through seven values, latencies through eleven; the category alternates between `billing` and `search`.
    static func inputs(
        tasksPerArm: Int, candidateSuccessEvery: Int = 10, weight: Int? = 50, mode: RolloutMode = .canary
    ) -> LookInputs {
        var accumulator = Accumulator(
            baselineVersion: "v1", candidateVersion: "v2", stepStartedAt: nil, shadowMode: mode == .shadow)
        for arm in [Arm.baseline, .candidate] {
            let version = arm == .baseline ? "v1" : "v2"
            let failEvery = arm == .candidate ? candidateSuccessEvery : 10
            for index in 0..<tasksPerArm {
                let task = TaskEvent(
                    timestamp: 1_790_000_000 + Double(index), eventId: "\(version)-e\(index)", version: version,
                    conversationId: "\(version)-c\(index)", taskId: "\(version)-t\(index)", requestId: nil,
                    outcome: index % failEvery == 0 ? .failure : .success, costUSD: 0.010 + 0.001 * Double(index % 7),
                    latencyMs: 800 + 20 * Double(index % 11), inputTokens: 500, outputTokens: 200, steps: 3,
                    toolCalls: [], category: index % 2 == 0 ? "billing" : "search", input: nil, output: nil)
                accumulator.add(.task(task), arm: arm)
            }
        }
        let step = StepContext(
            mode: mode, stepIndex: 0, stepCount: 3, weight: weight, minTasks: 0, minDurationSeconds: 0,
            elapsedSeconds: nil, phase: .progressing)
        return accumulator.inputs(
            agent: "support-agent", runId: "run-1", step: step, monitor: MonitorSection(), policySha256: "",
            prometheus: [:])
    }

    /// One row: what changes from the promoting look, and what the judge must say.
    struct Row: CustomTestStringConvertible, Sendable {
        var name: String
        var change: @Sendable (inout LookInputs) -> Void
        var decision: Decision
        var reason: String
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(
            name: "nothing changed", change: { _ in }, decision: .promote,
            reason: "every primary metric is non-inferior"),
        Row(
            name: "a critical violation",
            change: {
                $0.criticalViolations = 1; $0.criticalExamples = ["t1"]
            },
            decision: .rollback, reason: "1 critical violation(s)"),
        Row(
            name: "a critical violation beats a routing fault",
            change: {
                $0.criticalViolations = 1
                $0.mixedConversations = 2
            }, decision: .rollback, reason: "1 critical violation(s)"),
        Row(
            name: "rogue actions over the budget of 0",
            change: {
                $0.rogue.candidateEvents = 1
                $0.rogue.candidateTasks = $0.tasks.candidate
            }, decision: .rollback, reason: "1 candidate task(s) with an unauthorized action"),
        Row(
            name: "a conversation on both versions",
            change: {
                $0.mixedConversations = 1; $0.mixedExamples = ["c9"]
            },
            decision: .hold, reason: "routing fault: 1 conversation(s)"),
        Row(
            name: "a sample-ratio mismatch at weight 50",
            change: { $0.stepConversations = PerArm(baseline: 4_000, candidate: 3_000) }, decision: .hold,
            reason: "sample-ratio mismatch"),
        Row(
            name: "a routing fault beats a step minimum not met",
            change: {
                $0.mixedConversations = 1
                $0.step.minTasks = 1_000_000
            }, decision: .hold, reason: "routing fault"),
        // `Health.enoughData` already counts the step's minimum tasks, so the judge reports a minimum not met
        // as too little data, and its own "this step has N of its minimum" branch is never reached.
        Row(
            name: "the step's minimum tasks not met", change: { $0.step.minTasks = 1_000_000 }, decision: .continue,
            reason: "too little data: 6000 candidate"),
        Row(
            name: "the step's minimum duration not met",
            change: {
                $0.step.minDurationSeconds = 600
                $0.step.elapsedSeconds = 60
            }, decision: .continue, reason: "the step has lasted 60 s of its minimum 600 s"),
    ]

    @Test("decision precedence", arguments: rows)
    func precedence(row: Row) {
        var inputs = Self.inputs(tasksPerArm: 6_000)
        row.change(&inputs)
        let judgement = Judge.judge(inputs)
        #expect(judgement.decision == row.decision, "\(judgement.reasons)")
        #expect(judgement.reasons.first?.hasPrefix(row.reason) == true, "\(judgement.reasons)")
    }

    /// Judged outcomes of whole fleets (not edits of one look): too little data, and a real regression.
    @Test(
        "fleets judged whole",
        arguments: [
            (tasksPerArm: 100, failEvery: 10, decision: Decision.continue, reason: "too little data"),
            (
                tasksPerArm: 6_000, failEvery: 3, decision: .rollback,
                reason: "primary metric task_success_rate regressed"
            ),
        ])
    func fleets(tasksPerArm: Int, failEvery: Int, decision: Decision, reason: String) {
        let judgement = Judge.judge(Self.inputs(tasksPerArm: tasksPerArm, candidateSuccessEvery: failEvery))
        #expect(judgement.decision == decision, "\(judgement.reasons)")
        #expect(judgement.reasons.first?.hasPrefix(reason) == true, "\(judgement.reasons)")
    }

    /// The sample-ratio check runs only in canary mode at a weight strictly between 0 and 100.
    @Test(
        "sample-ratio health",
        arguments: [
            (mode: RolloutMode.canary, weight: Int?.some(50), checked: true),
            (mode: .canary, weight: 100, checked: false),
            (mode: .canary, weight: nil, checked: false),
            (mode: .shadow, weight: 50, checked: false),
        ])
    func sampleRatio(mode: RolloutMode, weight: Int?, checked: Bool) {
        var inputs = Self.inputs(tasksPerArm: 200, weight: weight, mode: mode)
        inputs.stepConversations = PerArm(baseline: 150, candidate: 50)
        let health = Judge.judge(inputs).health
        #expect(health.sampleRatio.checked == checked)
        #expect(health.sampleRatio.mismatch == checked, "150 against 50 at an expected 50 % share is a mismatch")
    }

    /// Segments are reported, never judged: a regression inside one category changes no decision, and every
    /// category seen is reported with its own success rate.
    @Test("segments are reported, not judged")
    func segments() {
        let judgement = Judge.judge(Self.inputs(tasksPerArm: 6_000))
        #expect(judgement.segments.map(\.name).sorted() == ["billing", "search"])
        for segment in judgement.segments {
            #expect(segment.successRate.role == .signal)
            #expect(segment.successRate.baseline.n == 3_000)
            #expect(segment.costPerTask != nil)
        }
    }
}

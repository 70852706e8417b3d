import AnalysisCore
import Policy
import Statistics
import Testing
import Vocabulary

/// The judge with `monitor.method: group-sequential`: the primary metric's non-inferiority by its Lan–DeMets
/// boundary (placed by the look's information and the run's earlier looks), harm still by the mixture test.
@Suite("Judge: group-sequential promotion")
struct GroupSequentialJudgeTests {
    /// Two identical arms of `tasks` one-task conversations (90 % success) under the group-sequential method.
    static func inputs(tasks: Int, candidateSuccessEvery: Int = 10) -> LookInputs {
        var inputs = JudgeTableTests.inputs(tasksPerArm: tasks, candidateSuccessEvery: candidateSuccessEvery)
        inputs.monitor.method = .groupSequential
        inputs.earlierInformation = [:]
        return inputs
    }

    static func success(_ judgement: Judgement) -> MetricResult? {
        judgement.metrics.first { $0.name == "task_success_rate" }
    }

    @Test("a boundary crossed promotes before the mixture's minimum sample")
    func earlyCrossing() throws {
        // 2,000 tasks a arm: the mixture wants several thousand more; the design, planned at about 3,100 a arm
        // (the margin at α 0.025 and power 0.9, times O'Brien–Fleming's inflation over 3 steps), is at t ≈ 0.65,
        // where the boundary is about 2.55 and the statistic 0.025 / √(2 · 0.09 / 2000) ≈ 2.64.
        var mixture = Self.inputs(tasks: 2000)
        mixture.monitor.method = nil
        #expect(Judge.judge(mixture).decision == .continue)
        let judgement = Judge.judge(Self.inputs(tasks: 2000))
        #expect(judgement.decision == .promote, "\(judgement.reasons)")
        #expect(judgement.sample.moreCandidateTasksNeeded == 0)
        let look = try #require(Self.success(judgement)?.sequential)
        #expect(look.look == 1 && look.informationFraction > 0.6 && look.informationFraction < 0.7)
        #expect(look.statistic >= (look.boundary ?? .infinity))
        // Pocock's boundary at the same look is lower still.
        var pocock = Self.inputs(tasks: 2000)
        pocock.monitor.spending = .pocock
        let pocockLook = try #require(Self.success(Judge.judge(pocock))?.sequential)
        #expect((pocockLook.boundary ?? 0) < (look.boundary ?? 0))
    }

    @Test("a look outside a run keeps the always-valid test, and says why")
    func outsideRun() throws {
        var inputs = Self.inputs(tasks: 2000)
        inputs.earlierInformation = nil
        let judgement = Judge.judge(inputs)
        #expect(judgement.decision == .continue)
        let success = try #require(Self.success(judgement))
        #expect(success.sequential == nil)
        #expect(success.method.contains("needs a run's earlier looks"))
    }

    @Test("before the boundary the look continues; after a final analysis that did not cross, a person decides")
    func beforeAndAfter() throws {
        let early = Judge.judge(Self.inputs(tasks: 600))
        #expect(early.decision == .continue)
        // The sample the design needs is its plan, about 3,100 candidate tasks here, not the mixture's.
        #expect(early.sample.requiredCandidateTasks > 2_900 && early.sample.requiredCandidateTasks < 3_300)
        #expect(Self.success(early)?.status == .inconclusive)
        var exhausted = Self.inputs(tasks: 600)
        exhausted.earlierInformation = ["task_success_rate": [5_000, 20_000]]
        let judgement = Judge.judge(exhausted)
        #expect(judgement.decision == .hold, "\(judgement.reasons)")
        #expect(judgement.reasons.first?.contains("final analysis has passed") == true)
        #expect(Self.success(judgement)?.sequential?.boundary == nil)
        // A look with less than 5 % of the plan more than the design's last look is not one of its looks.
        let crossing = try #require(Self.success(Judge.judge(Self.inputs(tasks: 2000)))?.sequential)
        var between = Self.inputs(tasks: 2000)
        between.earlierInformation = ["task_success_rate": [crossing.information - 0.01 * crossing.plannedInformation]]
        let betweenJudgement = Judge.judge(between)
        #expect(betweenJudgement.decision == .continue)
        let result = try #require(Self.success(betweenJudgement))
        #expect(result.sequential == nil && result.status == .inconclusive)
        #expect(result.note?.contains("next group-sequential look") == true)
    }

    /// Two categories of 1,000 tasks a arm each, 99 % and 81 % success in both arms (90 % overall): the
    /// post-stratified variance is ¼ · 2 · (0.99 · 0.01 + 0.81 · 0.19) / 1000 = 8.19e-5 against the plain
    /// 2 · 0.09 / 2000 = 9e-5, a reduction of 9 %, and the information grows by 1 / 0.91.
    @Test("adjusting for the category post-stratifies the test, reports the variance removed, and keeps segments off")
    func categoryAdjustment() throws {
        var inputs = Self.inputs(tasks: 2000)
        func sums(_ successes: Double) -> ClusterSums {
            var sums = ClusterSums()
            for index in 0..<1000 { sums.add(y: Double(index) < successes ? 1 : 0, n: 1) }
            return sums
        }
        inputs.segments = [
            SegmentSums(
                name: "easy", success: PerArm(baseline: sums(990), candidate: sums(990)),
                cost: PerArm(baseline: ClusterSums(), candidate: ClusterSums())),
            SegmentSums(
                name: "hard", success: PerArm(baseline: sums(810), candidate: sums(810)),
                cost: PerArm(baseline: ClusterSums(), candidate: ClusterSums())),
        ]
        inputs.monitor.segments = false
        let plain = try #require(Self.success(Judge.judge(inputs))?.sequential)
        #expect(plain.adjustment == nil)
        inputs.monitor.adjustFor = .category
        let judgement = Judge.judge(inputs)
        #expect(judgement.segments.isEmpty)
        let look = try #require(Self.success(judgement)?.sequential)
        let adjustment = try #require(look.adjustment)
        #expect(adjustment.strata == 2 && adjustment.covariate == "category")
        #expect(abs(adjustment.varianceReduction - 0.09) < 1e-12)
        #expect(abs(adjustment.difference) < 1e-12)
        #expect(abs(look.information * 0.91 / plain.information - 1) < 1e-9)
        #expect(look.statistic > plain.statistic)
    }

    @Test("a boundary crossed at an earlier look stays crossed; a regression still rolls back")
    func afterCrossing() throws {
        var shown = Self.inputs(tasks: 600)
        shown.earlierInformation = ["task_success_rate": [11_000]]
        shown.sequentiallyShown = ["task_success_rate"]
        #expect(Judge.judge(shown).decision == .promote)
        var regressed = Self.inputs(tasks: 2000, candidateSuccessEvery: 5)
        regressed.sequentiallyShown = ["task_success_rate"]
        let judgement = Judge.judge(regressed)
        #expect(judgement.decision == .rollback, "\(judgement.reasons)")
        #expect(Self.success(judgement)?.status == .regressed)
    }
}

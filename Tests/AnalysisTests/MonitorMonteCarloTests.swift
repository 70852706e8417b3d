import Analysis
import AnalysisCore
import Foundation
import Policy
import Simulation
import Statistics
import Telemetry
import TestSupport
import Testing
import Vocabulary

/// The monitor's decision rule on simulated canaries, through the same accumulator and judge the binary
/// uses, with fixed seeds. Monte Carlo error: for a rate p over n canaries, √(p(1−p)/n).
@Suite("Monitor decisions on simulated canaries", .tags(.slow), .notInFastPath)
struct MonitorMonteCarloTests {
    /// One canary looked at after every batch of `conversationsPerLook` new conversations, split 50/50.
    /// Returns the decisions in order, stopping at the first rollback or after `maxLooks`, or once the
    /// candidate has the required sample (when `untilRequired`).
    static func canary(
        seed: UInt64, scenario: FleetScenario, conversationsPerLook: Int, maxLooks: Int, untilRequired: Bool
    ) -> [Judgement] {
        var accumulator = Accumulator(
            baselineVersion: "1.4.0", candidateVersion: "1.5.0", stepStartedAt: nil, shadowMode: false)
        let monitor = MonitorSection()
        var judgements: [Judgement] = []
        for look in 0..<maxLooks {
            var traffic = FleetTraffic()
            traffic.conversations = conversationsPerLook
            traffic.candidateShare = 0.5
            traffic.content = false
            traffic.idPrefix = "s\(seed)-l\(look)"
            traffic.start = 1_790_000_000 + Double(look) * 600
            let simulator = FleetSimulator(traffic: traffic, scenario: scenario, seed: seed &* 1000 &+ UInt64(look))
            simulator.generate { event in
                accumulator.add(event, arm: accumulator.arm(of: event.version) ?? .baseline)
            }
            let step = StepContext(
                mode: .canary, stepIndex: 0, stepCount: 1, weight: 50, minTasks: 0, minDurationSeconds: 0,
                elapsedSeconds: nil, phase: .progressing)
            let inputs = accumulator.inputs(
                agent: "support-agent", runId: nil, step: step, monitor: monitor, policySha256: "", prometheus: [:])
            let judgement = Judge.judge(inputs)
            judgements.append(judgement)
            if judgement.decision == .rollback { break }
            if untilRequired, judgement.sample.candidateTasks >= judgement.sample.requiredCandidateTasks { break }
        }
        return judgements
    }

    /// 200 A/A canaries (identical versions) looked at 10 times each: the share ever rolled back stays at or
    /// under α = 0.05 plus two Monte Carlo standard errors (0.05 + 2·√(0.05·0.95/200) = 0.081).
    @Test("A/A: ten looks keep false rollbacks within α")
    func aaFalseRollbacks() {
        let canaries = 200
        var rolledBack = 0
        for seed in 0..<canaries {
            let judgements = Self.canary(
                seed: UInt64(5000 + seed), scenario: FleetScenario.named("aa")!, conversationsPerLook: 120,
                maxLooks: 10, untilRequired: false)
            #expect(judgements.count == 10 || judgements.last?.decision == .rollback)
            if judgements.contains(where: { $0.decision == .rollback }) { rolledBack += 1 }
        }
        let rate = Double(rolledBack) / Double(canaries)
        print("A/A: \(rolledBack) of \(canaries) canaries rolled back over 10 looks (rate \(rate))")
        let bound = 0.05 + 2 * (0.05 * 0.95 / Double(canaries)).squareRoot()
        #expect(rate <= bound, "false rollback rate \(rate) over \(canaries) A/A canaries")
    }

    /// A 4-point drop in task success, looked at every 300 new conversations until the candidate reaches
    /// the sample the default policy's power calculation asks for: rolled back in at least 90 % of 100
    /// canaries.
    @Test("a 4-point success drop is rolled back by the minimum sample")
    func fourPointDrop() {
        let canaries = 100
        var rolledBack = 0
        var required: [Int] = []
        for seed in 0..<canaries {
            var scenario = FleetScenario.named("aa")!
            scenario.successShift = -0.04
            let judgements = Self.canary(
                seed: UInt64(9000 + seed), scenario: scenario, conversationsPerLook: 300, maxLooks: 60,
                untilRequired: true)
            if let last = judgements.last {
                required.append(last.sample.requiredCandidateTasks)
                if last.decision == .rollback {
                    rolledBack += 1
                    #expect(last.reasons.contains { $0.contains("task_success_rate regressed") })
                }
            }
        }
        print(
            "4-point drop: \(rolledBack) of \(canaries) rolled back; required candidate tasks "
                + "\(required.min() ?? 0)–\(required.max() ?? 0)")
        #expect(Double(rolledBack) / Double(canaries) >= 0.9, "rolled back \(rolledBack) of \(canaries)")
        // The minimum sample is a real power calculation, not a constant.
        #expect(Set(required).count > 1)
    }
}

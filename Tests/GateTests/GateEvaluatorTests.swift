import Artifacts
import BenchmarkResults
import Foundation
import Gate
import Policy
import Simulation
import Testing
import Vocabulary

@Suite("Gate evaluation")
struct GateEvaluatorTests {
    func suites(_ scenario: SuiteScenario, seed: UInt64 = 1) throws -> (BenchmarkSuite, BenchmarkSuite) {
        let base = SuiteSimulator.results(scenario, version: "1.0", isCandidate: false, seed: seed)
        let cand = SuiteSimulator.results(scenario, version: "2.0", isCandidate: true, seed: seed)
        return (
            try BenchmarkReader.parse(Data(base.utf8), path: "baseline.jsonl"),
            try BenchmarkReader.parse(Data(cand.utf8), path: "candidate.jsonl")
        )
    }

    func evaluate(_ baseline: [BenchmarkAttempt], _ candidate: [BenchmarkAttempt], gate: GateSection = GateSection())
        throws -> GateEvaluation
    {
        try GateEvaluator.evaluate(
            candidate: candidate, baseline: baseline, candidatePath: "candidate.jsonl", baselinePath: "baseline.jsonl",
            gate: gate)
    }

    func metric(_ evaluation: GateEvaluation, _ name: String) throws -> GateMetric {
        try #require(evaluation.metrics.first { $0.name == name })
    }

    @Test("identical results pass with zero differences")
    func identical() throws {
        let (baseline, _) = try suites(SuiteScenario(tasks: 400, trials: 3, infraErrorRate: 0))
        let evaluation = try evaluate(baseline.attempts, baseline.attempts)
        #expect(evaluation.verdict == .pass && !evaluation.blocking)
        let success = try metric(evaluation, "success_rate")
        #expect(success.difference == 0 && success.ciLow == 0 && success.ciHigh == 0)
        #expect(try metric(evaluation, "cost_per_task").ratio == 1)
        #expect(try metric(evaluation, "pass_hat_k").status == .pass)
    }

    @Test("a large drop in success and a rise in cost fail")
    func regression() throws {
        let (baseline, candidate) = try suites(
            SuiteScenario(tasks: 300, trials: 3, successShift: -0.12, costRatio: 1.4))
        let evaluation = try evaluate(baseline.attempts, candidate.attempts)
        #expect(evaluation.verdict == .fail && evaluation.blocking)
        #expect(try metric(evaluation, "success_rate").status == .fail)
        #expect(try metric(evaluation, "cost_per_task").status == .fail)
        #expect(evaluation.reasons.contains { $0.hasPrefix("success_rate:") })
    }

    @Test("a small suite is inconclusive and says how many tasks would settle it")
    func inconclusive() throws {
        let (baseline, candidate) = try suites(SuiteScenario(tasks: 30, trials: 1, successShift: -0.02))
        var gate = GateSection()
        gate.costPerTask.enabled = false
        gate.latencyP95Ms.enabled = false
        let evaluation = try evaluate(baseline.attempts, candidate.attempts, gate: gate)
        let success = try metric(evaluation, "success_rate")
        #expect(evaluation.verdict == .inconclusive && evaluation.blocking)
        #expect(success.status == .inconclusive)
        #expect((success.tasksNeeded ?? 0) > 30)
        // One trial per task: the exact McNemar p-value is reported.
        #expect(success.pValue != nil)
        gate.inconclusiveBlocks = false
        #expect(try !evaluate(baseline.attempts, candidate.attempts, gate: gate).blocking)
    }

    @Test("results do not depend on the order of the rows")
    func orderIndependent() throws {
        let (baseline, candidate) = try suites(SuiteScenario(tasks: 120, trials: 2, successShift: -0.03))
        let first = try evaluate(baseline.attempts, candidate.attempts)
        let second = try evaluate(baseline.attempts.reversed(), candidate.attempts.shuffled())
        #expect(first == second)
    }

    @Test("infrastructure errors leave the denominators and are counted")
    func infraErrors() throws {
        let rows = [
            BenchmarkAttempt(taskId: "a", trial: 1, success: true),
            BenchmarkAttempt(taskId: "a", trial: 2, error: .infra),
            BenchmarkAttempt(taskId: "b", trial: 1, success: false),
        ]
        let other = [
            BenchmarkAttempt(taskId: "a", trial: 1, success: true),
            BenchmarkAttempt(taskId: "b", trial: 1, success: false),
            BenchmarkAttempt(taskId: "b", trial: 2, error: .agent),
        ]
        let evaluation = try evaluate(rows, other)
        #expect(evaluation.tasks.baselineInfraErrors == 1 && evaluation.tasks.candidateInfraErrors == 0)
        #expect(evaluation.tasks.baselineAttempts == 2 && evaluation.tasks.candidateAttempts == 3)
        let success = try metric(evaluation, "success_rate")
        #expect(success.baseline == 0.5 && success.candidate == 0.5)
    }

    @Test("too many unmatched tasks is bad input; a few are reported")
    func unmatched() throws {
        let base = (0..<100).map { BenchmarkAttempt(taskId: "t\($0)", trial: 1, success: true) }
        let fewMissing = Array(base.dropLast(3))
        let evaluation = try evaluate(base, fewMissing)
        #expect(evaluation.tasks.baselineOnly == 3 && evaluation.tasks.matched == 97)
        #expect(evaluation.notes.contains { $0.contains("t97") })
        #expect(throws: GateError.self) { try evaluate(base, Array(base.dropLast(10))) }
        let disjoint = (0..<10).map { BenchmarkAttempt(taskId: "x\($0)", trial: 1, success: true) }
        #expect(throws: GateError.noMatchedTasks(candidate: "candidate.jsonl", baseline: "baseline.jsonl")) {
            try evaluate(base, disjoint)
        }
    }

    @Test("unauthorized actions: zero tolerance by default, a budget from the policy")
    func unauthorized() throws {
        let base = (0..<50).map { BenchmarkAttempt(taskId: "t\($0)", trial: 1, success: true) }
        var cand = base
        cand[3].unauthorizedActions = 1
        cand[9].unauthorizedActions = 2
        let strict = try evaluate(base, cand)
        #expect(strict.verdict == .fail)
        #expect(try metric(strict, "unauthorized_actions").difference == 2)
        var gate = GateSection()
        gate.unauthorizedActions.budget = 2
        #expect(try metric(try evaluate(base, cand, gate: gate), "unauthorized_actions").status == .pass)
        // A task where the baseline also acted without authorization is not new.
        var rogueBase = base
        rogueBase[3].unauthorizedActions = 1
        rogueBase[9].unauthorizedActions = 1
        #expect(try metric(try evaluate(rogueBase, cand), "unauthorized_actions").status == .pass)
    }

    @Test("a regression in one category is flagged even when the total passes")
    func categoryRegression() throws {
        var base: [BenchmarkAttempt] = []
        var cand: [BenchmarkAttempt] = []
        for index in 0..<600 {
            let category = ["a", "b", "c", "d", "e", "f"][index % 6]
            base.append(BenchmarkAttempt(taskId: "t\(index)", trial: 1, category: category, success: true))
            // Category "f" fails half its tasks on the candidate; everything else improves a little.
            let success = category == "f" ? index % 12 != 5 && index % 4 != 1 : true
            cand.append(BenchmarkAttempt(taskId: "t\(index)", trial: 1, category: category, success: success))
        }
        var gate = GateSection()
        gate.successRate.margin = 0.15
        let evaluation = try evaluate(base, cand, gate: gate)
        #expect(try metric(evaluation, "success_rate").status == .pass)
        let f = try #require(evaluation.categories.first { $0.category == "f" })
        #expect(f.successRate.status == .fail)
        #expect(evaluation.verdict == .fail)
        gate.categories.onRegression = .warn
        let warned = try evaluate(base, cand, gate: gate)
        #expect(warned.verdict == .pass && warned.warnings.count == 1)
    }
}

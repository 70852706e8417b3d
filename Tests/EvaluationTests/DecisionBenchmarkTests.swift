import Evaluation
import TestSupport
import Testing
import Vocabulary

/// A small, seeded version of `agent-sim evaluate` (60 A/A canaries, 30 per regression) guarding the monitor's decision quality: A/A false rollbacks within α plus two Monte
/// Carlo standard errors, the regressions it detects at least 90 % of the time in the full run detected here
/// too (allowing two Monte Carlo standard errors: ≥ 0.9 − 2·√(0.9·0.1/30) ≈ 0.79), and its exposure below the
/// other rules' at their defaults and at its own false rollback rate.
@Suite("Decision benchmark (small)", .tags(.slow), .notInFastPath)
struct DecisionBenchmarkTests {
    @Test("the monitor keeps A/A false rollbacks within α and detects the regressions")
    func monitorProperties() throws {
        var benchmark = DecisionBenchmark()
        benchmark.canaries = 30
        benchmark.aaCanaries = 60
        benchmark.seed = 7
        let report = benchmark.run()
        let rows = report.rows
        func rate(_ scenario: String, _ method: String = DecisionBenchmark.methods[0]) -> Double {
            rows.first { $0.scenario == scenario && $0.method == method }?.rollbackRate.value ?? -1
        }
        let aaBound = 0.05 + 2 * (0.05 * 0.95 / 60).squareRoot()
        #expect(rate("A/A") <= aaBound, "A/A false rollbacks \(rate("A/A"))")
        #expect(rate("low traffic A/A") <= aaBound)
        #expect(rate("sample-ratio fault") <= aaBound, "the sample-ratio fault holds, it does not roll back")
        let detectionFloor = 0.9 - 2 * (0.9 * 0.1 / 30).squareRoot()
        let regressions = [
            "success −2 points", "success −4 points", "success −8 points", "cost +20 %", "rogue 1 in 2,000",
            "latency spread ×1.5",
        ]
        for scenario in regressions {
            #expect(rate(scenario) >= detectionFloor, "\(scenario): detected \(rate(scenario))")
        }
        // Exposure (bad tasks served before the decision, unbounded when a bad version is promoted): below
        // Kayenta's on every regression, and below the absolute thresholds' (Flagger, Argo Rollouts) where the
        // full run shows it by more than its Monte Carlo error and this small run does too (small drops, which
        // they mostly promote; cost, which the monitor stops within the first interval). The latency spread and
        // the 8-point drop are below in the full run but within the small run's noise.
        func exposure(_ scenario: String, _ method: String = DecisionBenchmark.methods[0]) -> Double {
            rows.first { $0.scenario == scenario && $0.method == method }?.medianExposure.value ?? .nan
        }
        for scenario in regressions {
            #expect(exposure(scenario) < exposure(scenario, "Kayenta"), "\(scenario) against Kayenta")
        }
        for scenario in ["success −2 points", "success −4 points", "cost +20 %"] {
            #expect(exposure(scenario) < exposure(scenario, "Flagger"), "\(scenario) against Flagger")
            #expect(exposure(scenario) < exposure(scenario, "Argo Rollouts"), "\(scenario) against Argo Rollouts")
        }
        // At the monitor's false rollback rate: every other rule tuned to roll back that share of the same A/A
        // canaries, or the next step above where its rate jumps over it (never fewer), and the monitor's exposure below each tuned rule's on every
        // regression, except where the full run's intervals overlap (naive peeking at −4 and −8 points, the
        // tuned thresholds on unauthorized actions) or this small run is noisier than the gap (the tuned
        // thresholds on the latency spread: 127 against 156 in the full run).
        let matched = report.matched
        #expect(matched.target == rate("A/A"))
        let tuned = ["Flagger", "Argo Rollouts", "Kayenta", "naive peeking"].map { $0 + MatchedCalibration.suffix }
        let achieved = [matched.operatorRate, matched.operatorRate, matched.kayentaRate, matched.naiveRate]
        for (method, achieved) in zip(tuned, achieved) {
            #expect(rate("A/A", method) == achieved, "\(method): \(achieved) on the same canaries")
            #expect(achieved >= matched.target)
        }
        let closeInFullRun: Set = [
            "success −4 points|naive peeking", "success −8 points|naive peeking", "rogue 1 in 2,000|Flagger",
            "rogue 1 in 2,000|Argo Rollouts", "latency spread ×1.5|Flagger", "latency spread ×1.5|Argo Rollouts",
        ]
        for scenario in regressions {
            for method in tuned {
                let name = String(method.dropLast(MatchedCalibration.suffix.count))
                guard !closeInFullRun.contains("\(scenario)|\(name)") else { continue }
                #expect(exposure(scenario) < exposure(scenario, method), "\(scenario) against \(method)")
            }
        }
        // The group-sequential method: the same harm tests, so false rollbacks within the same bound and the
        // large regressions detected; healthy releases promoted at the schedule's end, near the fixed-horizon n
        // the benchmark computes for the design (the full run's goal is 1.3 × it).
        let sequential = DecisionBenchmark.methods[1]
        #expect(rate("A/A", sequential) <= aaBound, "A/A false rollbacks \(rate("A/A", sequential))")
        for scenario in ["success −4 points", "success −8 points", "cost +20 %", "latency spread ×1.5"] {
            #expect(rate(scenario, sequential) >= detectionFloor, "\(scenario): detected \(rate(scenario, sequential))")
        }
        let aa = try #require(rows.first { $0.scenario == "A/A" && $0.method == sequential })
        let promotedFloor = 0.8 - 2 * (0.8 * 0.2 / 60).squareRoot()
        #expect((aa.promotedRate.value ?? 0) >= promotedFloor)
        #expect(aa.medianMinutesToPromote.value == 90)
        let fixedHorizon = try #require(aa.fixedHorizonTasks.value)
        #expect(fixedHorizon > 2_800 && fixedHorizon < 4_500, "fixed-horizon n \(fixedHorizon)")
        #expect((aa.medianTasksToPromote.value ?? .infinity) <= 1.3 * fixedHorizon)
        // Every method saw the same canaries: one row per method and scenario, at both settings.
        #expect(rows.count == (DecisionBenchmark.methods.count + tuned.count) * 9)
        #expect(Set(rows.map(\.fixedHorizonTasks.value)).count > 1, "the fixed-horizon n is each scenario's")
        // The absolute-threshold rules were calibrated to about 5 % A/A false rollbacks, naive peeking is not
        // protected against repeated looks.
        #expect(rate("A/A", "naive peeking") > rate("A/A"))
    }

    /// Wald's approximation against a direct computation: for p₀ = 0.82 and a 4-point drop at α = 0.05,
    /// β = 0.10, KL(0.78 ‖ 0.82) = 0.78·ln(0.78/0.82) + 0.22·ln(0.22/0.18) and
    /// E₁[N] = (0.9·ln(0.9/0.05) + 0.1·ln(0.1/0.95)) / KL ≈ 462.
    @Test("Wald's expected sample size")
    func wald() {
        let tasks = DecisionBenchmark.waldExpectedTasks(baseline: 0.82, drop: 0.04, alpha: 0.05, beta: 0.10)
        #expect(abs(tasks - 462.348) < 0.01)  // Python: 462.3484969182509
    }

    /// The Neyman–Pearson floor on the median tasks to rollback against SciPy 1.17.1:
    /// `(norm.ppf(0.95) * sqrt(p1 * (1 - p1)) / d) ** 2` with p0 = 0.82 · 0.97, d = 0.04 · 0.97, p1 = p0 − d.
    @Test("the floor on the median tasks to rollback")
    func medianFloor() {
        let tasks = DecisionBenchmark.medianRollbackFloor(baseline: 0.82 * 0.97, drop: 0.04 * 0.97, alpha: 0.05)
        #expect(abs(tasks - 330.96187876734695) < 1e-6)
    }
}

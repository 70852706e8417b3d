import Statistics
import Testing

/// Post-stratification by category against Lin's regression on the categories' indicators (the estimator
/// ``RegressionAdjustment`` computes, itself checked against statsmodels 0.15.0's OLS in
/// ``RegressionAdjustmentTests``), on the tasks of `Tests/Fixtures/statsmodels/regression-adjustment.json`: the same
/// estimate, and a variance that is the regression's HC0 sandwich, i.e. its HC1 variance × (n − k) / n.
@Suite("Post-stratification")
struct PostStratificationTests {
    /// The fixture's tasks by category (none, the second, the third indicator).
    static func strata(_ tasks: [RegressionAdjustmentTests.Fixture.Task]) -> [PostStratification.Stratum] {
        var strata = Array(
            repeating: PostStratification.Stratum(
                baseline: .init(successes: 0, tasks: 0), candidate: .init(successes: 0, tasks: 0)),
            count: 3)
        for task in tasks {
            let category = task.covariates[1] == 1 ? 1 : task.covariates[2] == 1 ? 2 : 0
            if task.candidate == 1 {
                strata[category].candidate.successes += task.success
                strata[category].candidate.tasks += 1
            } else {
                strata[category].baseline.successes += task.success
                strata[category].baseline.tasks += 1
            }
        }
        return strata
    }

    @Test("the estimate is Lin's on the category indicators; the variance its HC0 sandwich")
    func againstLin() throws {
        let tasks = try RegressionAdjustmentTests.fixture().tasks
        let observations = tasks.map {
            RegressionAdjustment.Observation(
                outcome: $0.success, candidate: $0.candidate == 1, covariates: Array($0.covariates[1...2]),
                cluster: $0.conversation)
        }
        let lin = try #require(RegressionAdjustment.lin(observations, errors: .hc1))
        let estimate = try #require(PostStratification.estimate(Self.strata(tasks)))
        #expect(estimate.strata == 3)
        #expect(abs(estimate.difference - lin.difference) < 1e-12)
        let n = Double(tasks.count)
        let k = 6.0
        let hc0 = lin.standardError * lin.standardError * (n - k) / n
        #expect(abs(estimate.variance / hc0 - 1) < 1e-9)
        // The fixture's categories move success by up to 28 points: the adjustment removes variance.
        #expect(estimate.varianceReduction > 0.02)
        let plain = try #require(
            RegressionAdjustment.lin(
                observations.map {
                    var o = $0; o.covariates = []; return o
                }, errors: .hc1))
        #expect(abs(estimate.unadjustedDifference - plain.difference) < 1e-12)
    }

    @Test("sparse strata are pooled, and pooled into the largest when still sparse; one stratum adjusts nothing")
    func sparse() throws {
        func stratum(_ b: (Double, Double), _ c: (Double, Double)) -> PostStratification.Stratum {
            .init(baseline: .init(successes: b.0, tasks: b.1), candidate: .init(successes: c.0, tasks: c.1))
        }
        let big = stratum((80, 100), (38, 50))
        let other = stratum((30, 60), (14, 30))
        let lonely = stratum((1, 1), (0, 0))
        let pooledIntoBig = try #require(PostStratification.estimate([big, other, lonely]))
        #expect(pooledIntoBig.strata == 2)
        let withMerged = try #require(PostStratification.estimate([stratum((81, 101), (38, 50)), other]))
        #expect(pooledIntoBig == withMerged)
        let twoSparse = try #require(
            PostStratification.estimate([big, other, stratum((1, 1), (1, 1)), stratum((0, 1), (0, 1))]))
        #expect(twoSparse.strata == 3)
        #expect(PostStratification.estimate([big]) == nil)
        #expect(PostStratification.estimate([big, lonely]) == nil)
    }
}

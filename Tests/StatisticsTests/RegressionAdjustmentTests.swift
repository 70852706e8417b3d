import Foundation
import Statistics
import TestSupport
import Testing

/// Lin's regression-adjusted difference against statsmodels 0.15.0's OLS on the same tasks
/// (`Tests/Fixtures/statsmodels/regression-adjustment.json`, written by `make-regression-adjustment.py` beside it):
/// the `candidate` coefficient and its HC1 and conversation-clustered standard errors.
@Suite("Regression adjustment (Lin's interacted OLS)")
struct RegressionAdjustmentTests {
    struct Fixture: Decodable {
        struct Task: Decodable {
            var conversation: Int
            var candidate: Int
            var covariates: [Double]
            var success: Double
        }
        struct Fit: Decodable {
            var estimate: Double
            var standardError: Double

            enum CodingKeys: String, CodingKey {
                case estimate
                case standardError = "standard_error"
            }
        }
        var tasks: [Task]
        var unadjusted: [String: Fit]
        var lin: [String: Fit]
    }

    static func fixture() throws -> Fixture {
        try JSONDecoder().decode(
            Fixture.self,
            from: Data(
                contentsOf: URL(
                    fileURLWithPath: Repository.path("Tests/Fixtures/statsmodels/regression-adjustment.json"))))
    }

    @Test("the estimate and its HC1 and clustered standard errors are statsmodels' to 1e-10")
    func againstStatsmodels() throws {
        let fixture = try Self.fixture()
        func observations(covariates: Bool) -> [RegressionAdjustment.Observation] {
            fixture.tasks.map {
                RegressionAdjustment.Observation(
                    outcome: $0.success, candidate: $0.candidate == 1, covariates: covariates ? $0.covariates : [],
                    cluster: $0.conversation)
            }
        }
        for (covariates, expected) in [(false, fixture.unadjusted), (true, fixture.lin)] {
            for (name, errors) in [("hc1", RegressionAdjustment.Errors.hc1), ("cluster", .clustered)] {
                let ours = try #require(RegressionAdjustment.lin(observations(covariates: covariates), errors: errors))
                let theirs = try #require(expected[name])
                #expect(abs(ours.difference - theirs.estimate) < 1e-10, "\(covariates) \(name)")
                #expect(abs(ours.standardError - theirs.standardError) < 1e-10, "\(covariates) \(name)")
            }
        }
    }

    @Test("a design it cannot fit gives no estimate")
    func singular() {
        let oneArm = (0..<10).map {
            RegressionAdjustment.Observation(outcome: Double($0 % 2), candidate: true, covariates: [1], cluster: $0)
        }
        #expect(RegressionAdjustment.lin(oneArm, errors: .hc1) == nil)
        #expect(RegressionAdjustment.lin([], errors: .clustered) == nil)
    }
}

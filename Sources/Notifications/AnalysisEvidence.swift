import Foundation
import Vocabulary

/// What a notice tells of the analysis behind a transition, read from `analysis.json` itself (canary-deploy
/// gets the file, not the monitor's types): the decision, its reasons and the metrics with their intervals.
package struct AnalysisEvidence: Decodable, Sendable {
    package var decision: Decision
    package var reasons: [String]
    package var metrics: [ReleaseNotice.Metric]

    struct Value: Decodable {
        var value: Double?
    }

    struct MetricFields: Decodable {
        var name: String
        var role: MetricRole
        var status: MetricStatus
        var baseline: Value
        var candidate: Value
        var difference: Double?
        var ratio: Double?
        var ciLow: Double?
        var ciHigh: Double?

        enum CodingKeys: String, CodingKey {
            case name, role, status, baseline, candidate, difference, ratio
            case ciLow = "ci_low"
            case ciHigh = "ci_high"
        }
    }

    enum CodingKeys: String, CodingKey {
        case decision, reasons, metrics
    }

    /// The evidence of an analysis file's bytes; `nil` when they are not one.
    package static func read(_ data: Data) -> AnalysisEvidence? {
        try? JSONDecoder().decode(AnalysisEvidence.self, from: data)
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        decision = try container.decode(Decision.self, forKey: .decision)
        reasons = try container.decodeIfPresent([String].self, forKey: .reasons) ?? []
        metrics =
            try container.decodeIfPresent([MetricFields].self, forKey: .metrics)?.map { metric in
                ReleaseNotice.Metric(
                    name: metric.name, role: metric.role, status: metric.status, baseline: metric.baseline.value,
                    candidate: metric.candidate.value, difference: metric.difference, ratio: metric.ratio,
                    ciLow: metric.ciLow, ciHigh: metric.ciHigh)
            } ?? []
    }

    /// Evidence made from its parts (the monitor has them at hand).
    package init(decision: Decision, reasons: [String], metrics: [ReleaseNotice.Metric]) {
        self.decision = decision
        self.reasons = reasons
        self.metrics = metrics
    }
}

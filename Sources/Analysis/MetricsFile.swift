import AnalysisCore
import Artifacts
import Foundation
import Vocabulary

/// The Prometheus text exposition of a look, for the node exporter's textfile collector or a Pushgateway:
/// the canary's phase, weight, decision and key metrics per arm.
package enum MetricsFile {
    /// Renders `artifact`; `phase` is the rollout's phase (`analysis` without a rollout).
    package static func render(_ artifact: AnalysisArtifact, phase: RolloutPhase?) -> String {
        let phase = phase?.rawValue ?? "analysis"
        let base = [
            ("agent", artifact.agent), ("run_id", artifact.runId), ("candidate_version", artifact.candidateVersion),
            ("baseline_version", artifact.baselineVersion),
        ]
        func labels(_ pairs: [(String, String)]) -> String {
            "{" + pairs.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        var lines: [String] = []
        func family(_ name: String, _ help: String, _ samples: [(labels: [(String, String)], value: Double)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) gauge")
            for sample in samples { lines.append("\(name)\(labels(base + sample.labels)) \(number(sample.value))") }
        }
        family(
            "agent_canary_phase", "1 for the rollout's current phase.",
            (RolloutPhase.allCases.map(\.rawValue) + ["analysis"]).map {
                ([("phase", $0)], $0 == phase ? 1 : 0)
            })
        family(
            "agent_canary_weight_percent", "Share of new conversations sent to the candidate.",
            [([], Double(artifact.weight ?? 0))])
        family(
            "agent_canary_decision", "1 for the monitor's decision at the last look.",
            Decision.allCases.map { ([("decision", $0.rawValue)], $0 == artifact.judgement.decision ? 1 : 0) })
        family("agent_canary_look_id", "The ledger id of the last look.", [([], Double(artifact.lookId))])
        family(
            "agent_canary_tasks", "Tasks analysed per arm.",
            [
                ([("arm", "baseline")], Double(artifact.judgement.sample.baselineTasks)),
                ([("arm", "candidate")], Double(artifact.judgement.sample.candidateTasks)),
            ])
        family(
            "agent_canary_more_tasks_needed", "Candidate tasks still needed before promotion.",
            [([], Double(artifact.judgement.sample.moreCandidateTasksNeeded))])
        var values: [(labels: [(String, String)], value: Double)] = []
        var lows: [(labels: [(String, String)], value: Double)] = []
        var highs: [(labels: [(String, String)], value: Double)] = []
        var regressed: [(labels: [(String, String)], value: Double)] = []
        for metric in artifact.judgement.metrics {
            if let value = metric.baseline.value {
                values.append(([("metric", metric.name), ("arm", "baseline")], value))
            }
            if let value = metric.candidate.value {
                values.append(([("metric", metric.name), ("arm", "candidate")], value))
            }
            if let low = metric.ciLow { lows.append(([("metric", metric.name)], low)) }
            if let high = metric.ciHigh { highs.append(([("metric", metric.name)], high)) }
            regressed.append(
                ([("metric", metric.name), ("role", metric.role.rawValue)], metric.status == .regressed ? 1 : 0))
        }
        family("agent_canary_metric_value", "A metric's value per arm.", values)
        family(
            "agent_canary_metric_ci_low", "Lower end of the metric's always-valid interval (difference or ratio).", lows
        )
        family(
            "agent_canary_metric_ci_high", "Upper end of the metric's always-valid interval (difference or ratio).",
            highs)
        family("agent_canary_metric_regressed", "1 when the metric regressed at the last look.", regressed)
        return lines.joined(separator: "\n") + "\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

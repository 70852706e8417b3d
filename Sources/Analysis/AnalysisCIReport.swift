import AnalysisCore
import Artifacts
import CIOutput
import Foundation
import Policy
import Vocabulary

/// Turns an analysis into the report CI systems show (step summary, JUnit, dotenv, outputs, annotations).
package enum AnalysisCIReport {
    /// The CI report of `artifact`, written to `artifactPath`.
    package static func make(_ artifact: AnalysisArtifact, artifactPath: String) -> CIReport {
        let decision = artifact.judgement.decision.rawValue.uppercased()
        let where_ = artifact.step.map { "step \($0), \(artifact.weight ?? 0) %" } ?? artifact.mode.rawValue
        let headline =
            "**\(decision)** (\(where_)) — \(artifact.judgement.sample.candidateTasks) candidate and "
            + "\(artifact.judgement.sample.baselineTasks) baseline tasks; \(artifact.judgement.sample.requiredCandidateTasks) candidate tasks needed. "
            + (artifact.method.sequential.hasPrefix("group-sequential")
                ? "Group-sequential promotion (Lan–DeMets) and always-valid harm tests (mSPRT)"
                : "Always-valid intervals (mSPRT)") + ", α = \(Judge.format(artifact.method.alpha)) over all looks."
        var sections: [CISection] = []
        if !artifact.judgement.reasons.isEmpty {
            sections.append(CISection(title: "Why", lines: artifact.judgement.reasons.map { "- \($0)" }))
        }
        if let unusable = artifact.ingestion.unusableTraces, !unusable.isEmpty {
            sections.append(
                CISection(title: "Telemetry that gave no task", lines: unusable.map { "- \($0.sentence)" }))
        }
        if !artifact.judgement.segments.isEmpty {
            sections.append(
                CISection(
                    title: "Per segment (task success)",
                    table: CITable(
                        header: ["Segment", "Baseline", "Candidate", "Δ", "Interval", "Status"],
                        rows: artifact.judgement.segments.map { segment in
                            let metric = segment.successRate
                            return [
                                segment.name, value(metric.baseline), value(metric.candidate),
                                metric.difference.map(Judge.format) ?? "–", interval(metric), metric.status.rawValue,
                            ]
                        })))
        }
        let checks = artifact.judgement.metrics.map { metric -> CICheck in
            let outcome: CICheck.Outcome =
                metric.status == .regressed ? .failed : metric.status == .nonInferior ? .passed : .skipped
            return CICheck(
                name: metric.name, group: "monitor.\(metric.role)", outcome: outcome,
                message: outcome == .passed ? "" : Judge.describe(metric), kind: metric.status.rawValue,
                detail: "method: \(metric.method); α = \(Judge.format(metric.alpha))")
        }
        let level: CIAnnotation.Level = artifact.judgement.decision == .rollback ? .error : .warning
        let annotations =
            artifact.judgement.decision == .promote
            ? []
            : artifact.judgement.reasons.map {
                CIAnnotation(level: level, title: "monitor \(artifact.judgement.decision.rawValue)", message: $0)
            }
        return CIReport(
            tool: "monitor",
            title:
                "monitor: \(artifact.agent) \(artifact.candidateVersion) vs \(artifact.baselineVersion) — \(decision)",
            headline: headline,
            outputs: [
                CIOutputValue("decision", artifact.judgement.decision.rawValue),
                CIOutputValue("run_id", artifact.runId),
                CIOutputValue("look_id", String(artifact.lookId)),
                CIOutputValue("analysis", artifactPath),
                CIOutputValue("more_tasks_needed", String(artifact.judgement.sample.moreCandidateTasksNeeded)),
                CIOutputValue("reasons", artifact.judgement.reasons.joined(separator: "\n")),
            ],
            checks: checks,
            table: CITable(
                header: ["Metric", "Role", "Baseline", "Candidate", "Δ or ratio", "Interval", "Status"],
                rows: artifact.judgement.metrics.map { metric in
                    [
                        metric.name, metric.role.rawValue, value(metric.baseline), value(metric.candidate),
                        change(metric),
                        interval(metric), metric.status.rawValue,
                    ]
                }),
            sections: sections, annotations: annotations)
    }

    static func value(_ arm: ArmValue) -> String {
        (arm.value.map(Judge.format) ?? "–") + " (n=\(arm.n))"
    }

    static func change(_ metric: MetricResult) -> String {
        if let ratio = metric.ratio, metric.ciLow.map({ $0 >= 0 && metric.difference == nil }) ?? true {
            return "×" + Judge.format(ratio)
        }
        if let ratio = metric.ratio, metric.name.hasPrefix("latency") { return "×" + Judge.format(ratio) }
        return metric.difference.map { ($0 >= 0 ? "+" : "") + Judge.format($0) } ?? "–"
    }

    static func interval(_ metric: MetricResult) -> String {
        guard let low = metric.ciLow else { return "–" }
        return "[\(Judge.format(low)), \(metric.ciHigh.map(Judge.format) ?? "∞")]"
    }
}

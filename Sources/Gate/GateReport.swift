import Artifacts
import CIOutput
import Foundation
import Vocabulary

/// Turns a gate result into the report CI systems show.
package enum GateReport {
    /// The CI report of `result`, whose artifact was written to `artifactPath`.
    package static func ciReport(_ result: GateResult, artifactPath: String, warnings: [String] = []) -> CIReport {
        let verdictText = result.verdict.rawValue.uppercased()
        let effect = result.blocking ? "blocks the release" : "lets the release go on"
        let headline =
            "**\(verdictText)** — \(effect). \(result.tasks.matched) matched tasks, "
            + "\(result.tasks.candidateAttempts) candidate and \(result.tasks.baselineAttempts) baseline attempts; "
            + "\(Int((result.method.confidence * 100).rounded())) % paired-bootstrap intervals "
            + "(\(result.method.bootstrapResamples) resamples, seed \(result.method.seed))."
        var sections: [CISection] = []
        if !result.reasons.isEmpty {
            sections.append(CISection(title: "Why", lines: result.reasons.map { "- \($0)" }))
        }
        if !result.categories.isEmpty {
            sections.append(
                CISection(
                    title: "Per category (task success)",
                    table: CITable(
                        header: ["Category", "Tasks", "Baseline", "Candidate", "Δ", "CI (adjusted)", "Status"],
                        rows: result.categories.map { row in
                            let metric = row.successRate
                            return [
                                row.category, String(row.tasks), percent(metric.baseline), percent(metric.candidate),
                                points(metric.difference), interval(metric), metric.status.rawValue,
                            ]
                        })))
        }
        let notes = warnings.map { "- ⚠️ \($0)" } + result.notes.map { "- \($0)" }
        if !notes.isEmpty { sections.append(CISection(title: "Notes", lines: notes)) }

        return CIReport(
            tool: "benchmark-gate",
            title:
                "benchmark-gate: \(result.agent) \(result.candidateVersion) vs \(result.baselineVersion) — \(verdictText)",
            headline: headline,
            outputs: [
                CIOutputValue("verdict", result.verdict.rawValue),
                CIOutputValue("blocking", result.blocking ? "true" : "false"),
                CIOutputValue("run_id", result.runId),
                CIOutputValue("gate_result", artifactPath),
                CIOutputValue("agent", result.agent),
                CIOutputValue("candidate_version", result.candidateVersion),
                CIOutputValue("baseline_version", result.baselineVersion),
                CIOutputValue("reasons", result.reasons.joined(separator: "\n")),
            ],
            checks: checks(result),
            table: CITable(
                header: ["Metric", "Baseline", "Candidate", "Δ or ratio", "CI", "Limit", "Status"],
                rows: result.metrics.map { metric in
                    [
                        metric.name, value(metric.baseline, metric.name), value(metric.candidate, metric.name),
                        change(metric), interval(metric), limit(metric), metric.status.rawValue,
                    ]
                }),
            sections: sections,
            annotations: annotations(result, warnings: warnings))
    }

    static func checks(_ result: GateResult) -> [CICheck] {
        var checks: [CICheck] = []
        func check(_ metric: GateMetric, name: String, group: String, reason: String, blocksWhenInconclusive: Bool)
            -> CICheck
        {
            let outcome: CICheck.Outcome
            switch metric.status {
            case .pass: outcome = .passed
            case .fail: outcome = .failed
            case .inconclusive: outcome = blocksWhenInconclusive ? .failed : .skipped
            case .info, .insufficient: outcome = .skipped
            }
            let detail =
                "baseline \(value(metric.baseline, metric.name)), candidate \(value(metric.candidate, metric.name)), "
                + "\(change(metric)), CI \(interval(metric)), limit \(limit(metric)); \(metric.method)"
            return CICheck(
                name: name, group: group, outcome: outcome,
                message: outcome == .passed ? "" : reason, kind: metric.status.rawValue, detail: detail)
        }
        for metric in result.metrics where metric.status != .info {
            let reason = result.reasons.first { $0.hasPrefix(metric.name + ":") } ?? metric.status.rawValue
            checks.append(
                check(
                    metric, name: metric.name, group: "benchmark-gate.overall", reason: reason,
                    blocksWhenInconclusive: result.blocking))
        }
        for category in result.categories where category.successRate.status != .insufficient {
            let reason =
                result.reasons.first { $0.hasPrefix("category \(category.category):") }
                ?? "category \(category.category): \(category.successRate.status.rawValue)"
            checks.append(
                check(
                    category.successRate, name: "success_rate[\(category.category)]",
                    group: "benchmark-gate.category", reason: reason, blocksWhenInconclusive: false))
        }
        return checks
    }

    static func annotations(_ result: GateResult, warnings: [String]) -> [CIAnnotation] {
        var annotations: [CIAnnotation] = []
        let level: CIAnnotation.Level = result.blocking ? .error : .warning
        for reason in result.reasons {
            annotations.append(
                CIAnnotation(level: level, title: "benchmark-gate \(result.verdict.rawValue)", message: reason))
        }
        for warning in warnings {
            annotations.append(
                CIAnnotation(level: .warning, title: "benchmark-gate category regression", message: warning))
        }
        return annotations
    }

    static func value(_ number: Double?, _ name: String) -> String {
        guard let number else { return "–" }
        switch name {
        case "success_rate", "pass_hat_k": return percent(number)
        case "cost_per_task": return String(format: "$%.4f", number)
        case "latency_p95_ms": return String(format: "%.0f ms", number)
        case "unauthorized_actions": return String(Int(number))
        default: return String(format: "%.1f", number)
        }
    }

    static func percent(_ number: Double?) -> String {
        number.map { String(format: "%.1f %%", $0 * 100) } ?? "–"
    }

    static func points(_ number: Double?) -> String {
        number.map { String(format: "%+.1f pts", $0 * 100) } ?? "–"
    }

    static func change(_ metric: GateMetric) -> String {
        switch metric.comparison {
        case "difference": points(metric.difference)
        case "ratio": metric.ratio.map { String(format: "%.3f×", $0) } ?? "–"
        default: metric.difference.map { "\(Int($0)) new" } ?? "–"
        }
    }

    static func interval(_ metric: GateMetric) -> String {
        guard let low = metric.ciLow, let high = metric.ciHigh else { return "–" }
        return metric.comparison == "difference"
            ? String(format: "%+.1f … %+.1f", low * 100, high * 100) : String(format: "%.3f … %.3f", low, high)
    }

    static func limit(_ metric: GateMetric) -> String {
        guard let threshold = metric.threshold else { return "–" }
        switch metric.comparison {
        case "difference": return String(format: "≥ %+.1f pts", threshold * 100)
        case "ratio": return String(format: "≤ %.2f×", threshold)
        default: return "≤ \(Int(threshold))"
        }
    }
}

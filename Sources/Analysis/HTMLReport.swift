import AnalysisCore
import Artifacts
import Foundation
import Policy
import RunLedger
import ToolContract
import Vocabulary

/// `--report report.html`: one self-contained page (inline CSS and SVG, no script, no external asset) with
/// each key metric over the looks for both arms and the candidate's interval, the traffic weight and the
/// decisions on a timeline, the metrics and the per-segment table.
package enum HTMLReport {
    /// One look on the charts.
    package struct Point {
        var label: String
        var weight: Int?
        var decision: Decision
        var metrics: [MetricResult]

        /// A stored look.
        package init(row: LookRow) {
            label = row.createdAt
            weight = row.weight
            decision = row.decision
            metrics =
                (try? ArtifactCoding.makeDecoder().decode(Judgement.self, from: Data(row.judgementJSON.utf8)))?.metrics
                ?? []
        }

        /// The look being written.
        package init(artifact: AnalysisArtifact) {
            label = artifact.createdAt
            weight = artifact.weight
            decision = artifact.judgement.decision
            metrics = artifact.judgement.metrics
        }
    }

    /// A rollout transition on the timeline.
    package struct Transition {
        var at: String
        var command: RolloutCommand
        var weight: Int

        /// A transition at `at` to `weight` %.
        package init(at: String, command: RolloutCommand, weight: Int) {
            self.at = at
            self.command = command
            self.weight = weight
        }
    }

    static let keyMetrics = [
        "task_success_rate", "error_rate", "rogue_action_rate", "cost_per_task", "latency_p95", "shadow_agreement",
    ]
    static let colors = (baseline: "#1f6feb", candidate: "#d9480f")
    static let decisionColors: [Decision: String] = [
        .promote: "#2da44e", .continue: "#8c959f", .hold: "#bf8700", .rollback: "#cf222e",
    ]

    /// The page.
    package static func render(_ artifact: AnalysisArtifact, history: [Point], transitions: [Transition]) -> String {
        var body = ""
        let decisionColor = decisionColors[artifact.judgement.decision] ?? "#000"
        body +=
            "<h1>\(escape(artifact.agent)): \(escape(artifact.candidateVersion)) vs \(escape(artifact.baselineVersion))</h1>\n"
        body +=
            "<p class=\"decision\" style=\"background:\(decisionColor)\">\(artifact.judgement.decision.rawValue.uppercased())</p>\n"
        body += "<p>Look \(artifact.lookId) at \(escape(artifact.createdAt)), mode \(escape(artifact.mode.rawValue))"
        if let step = artifact.step { body += ", step \(step) at \(artifact.weight ?? 0) %" }
        body +=
            ". \(artifact.judgement.sample.candidateTasks) candidate and \(artifact.judgement.sample.baselineTasks) baseline tasks; "
        body += "\(artifact.judgement.sample.requiredCandidateTasks) candidate tasks needed"
        if artifact.judgement.sample.moreCandidateTasksNeeded > 0 {
            body += " (\(artifact.judgement.sample.moreCandidateTasksNeeded) more"
            if let eta = artifact.judgement.sample.estimatedSecondsRemaining {
                body += ", about \(eta / 60 + 1) min at the observed traffic"
            }
            body += ")"
        }
        body += ".</p>\n<ul>" + artifact.judgement.reasons.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
        body += "<h2>Timeline</h2>\n" + timeline(history, transitions: transitions)
        body += "<h2>Key metrics over the looks</h2>\n<div class=\"charts\">"
        for name in keyMetrics where artifact.judgement.metrics.contains(where: { $0.name == name }) {
            body += chart(name, history)
        }
        body += "</div>\n<h2>Metrics</h2>\n" + metricTable(artifact.judgement.metrics)
        if !artifact.judgement.segments.isEmpty {
            body += "<h2>Per segment</h2>\n" + segmentTable(artifact.judgement.segments)
        }
        body += "<h2>Health</h2>\n<ul>"
        let srm = artifact.judgement.health.sampleRatio
        body +=
            "<li>Sample ratio: "
            + (srm.checked
                ? "\(srm.candidateConversations) candidate / \(srm.baselineConversations) baseline conversations this step, expected share \(Judge.format(srm.expectedCandidateShare ?? 0)), p = \(Judge.format(srm.pValue ?? 1))\(srm.mismatch ? " — MISMATCH" : "")"
                : "not checked (no weighted split)") + "</li>"
        body += "<li>Conversations on both versions: \(artifact.judgement.health.mixedVersionConversations)</li>"
        body += "<li>Critical violations by the candidate: \(artifact.judgement.health.criticalViolations)</li>"
        for unusable in artifact.ingestion.unusableTraces ?? [] {
            body += "<li>Telemetry that gave no task: \(escape(unusable.sentence))</li>"
        }
        body +=
            "<li>Method: \(escape(artifact.method.sequential)); α = \(Judge.format(artifact.method.alpha)) split over \(artifact.method.rollbackMetrics) rollback metrics. \(escape(artifact.method.reference))</li>"
        body += "</ul>\n"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>AgentCanary — \(escape(artifact.agent)) \(escape(artifact.candidateVersion))</title>
            <style>
            body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#1f2328;background:#fff}
            h1{font-size:22px}h2{font-size:17px;margin-top:28px}
            .decision{display:inline-block;color:#fff;padding:4px 12px;border-radius:6px;font-weight:600}
            table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:right}
            th{background:#f6f8fa}td:first-child,th:first-child{text-align:left}
            .regressed{color:#cf222e;font-weight:600}.non_inferior{color:#1a7f37}
            .charts{display:flex;flex-wrap:wrap;gap:16px}svg text{font-size:11px;fill:#57606a}
            </style></head><body>
            \(body)</body></html>

            """
    }

    static func timeline(_ history: [Point], transitions: [Transition]) -> String {
        let width = 720.0
        let height = 120.0
        let count = max(1, history.count - 1)
        func x(_ index: Int) -> Double { 40 + (width - 60) * Double(index) / Double(count) }
        func y(_ weight: Int) -> Double { height - 20 - (height - 40) * Double(weight) / 100 }
        var svg =
            "<svg width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"traffic weight and decisions\">"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#fbfcfd\"/>"
        svg += "<text x=\"4\" y=\"\(y(100) + 4)\">100 %</text><text x=\"4\" y=\"\(y(0) + 4)\">0 %</text>"
        var path = ""
        for (index, point) in history.enumerated() {
            let weight = point.weight ?? 0
            path += (index == 0 ? "M" : " L") + "\(f(x(index))),\(f(y(weight)))"
        }
        svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"#6e7781\" stroke-width=\"2\"/>"
        for (index, point) in history.enumerated() {
            let color = decisionColors[point.decision] ?? "#000"
            svg +=
                "<circle cx=\"\(f(x(index)))\" cy=\"\(f(y(point.weight ?? 0)))\" r=\"5\" fill=\"\(color)\"><title>look \(index + 1): \(point.decision) at \(point.weight ?? 0) % (\(escape(point.label)))</title></circle>"
        }
        svg +=
            "<text x=\"40\" y=\"\(Int(height) - 4)\">looks 1–\(history.count); dots: decision (green promote, grey continue, amber hold, red rollback)</text>"
        svg += "</svg>"
        if !transitions.isEmpty {
            svg +=
                "<p>Transitions: "
                + transitions.map { "\(escape($0.at)) \(escape($0.command.rawValue)) → \($0.weight) %" }.joined(
                    separator: "; ")
                + "</p>"
        }
        return svg
    }

    static func chart(_ name: String, _ history: [Point]) -> String {
        let width = 340.0
        let height = 180.0
        var baseline: [Double?] = []
        var candidate: [Double?] = []
        var bands: [(Double, Double)?] = []
        for point in history {
            let metric = point.metrics.first { $0.name == name }
            let b = metric?.baseline.value
            let c = metric?.candidate.value
            baseline.append(b)
            candidate.append(c)
            var band: (Double, Double)?
            if let metric, let b, let low = metric.ciLow, let high = metric.ciHigh {
                if metric.name.hasPrefix("latency") {
                    band = nil
                } else if metric.ratio != nil, metric.difference == nil || metric.name == "cost_per_task" {
                    band = (b * low, b * high)
                } else {
                    band = (b + low, b + high)
                }
            }
            bands.append(band)
        }
        let values = (baseline + candidate).compactMap { $0 } + bands.compactMap { $0 }.flatMap { [$0.0, $0.1] }
        guard var low = values.min(), var high = values.max() else { return "" }
        if high - low < 1e-12 {
            low -= 0.5
            high += 0.5
        }
        let pad = (high - low) * 0.1
        low -= pad
        high += pad
        let count = max(1, history.count - 1)
        func x(_ index: Int) -> Double { 44 + (width - 56) * Double(index) / Double(count) }
        func y(_ value: Double) -> Double { height - 24 - (height - 44) * (value - low) / (high - low) }
        var svg =
            "<svg width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(name) over the looks\">"
        svg +=
            "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#fbfcfd\" stroke=\"#d0d7de\"/>"
        svg += "<text x=\"8\" y=\"14\" style=\"font-weight:600;fill:#1f2328\">\(name)</text>"
        svg +=
            "<text x=\"2\" y=\"\(f(y(high - pad) + 4))\">\(Judge.format(high - pad))</text><text x=\"2\" y=\"\(f(y(low + pad) + 4))\">\(Judge.format(low + pad))</text>"
        // The candidate's interval as a band.
        var upper: [String] = []
        var lower: [String] = []
        for (index, band) in bands.enumerated() {
            guard let band else { continue }
            upper.append("\(f(x(index))),\(f(y(band.1)))")
            lower.insert("\(f(x(index))),\(f(y(band.0)))", at: 0)
        }
        if upper.count >= 1 {
            if upper.count == 1 {
                svg +=
                    "<line x1=\"\(upper[0].split(separator: ",")[0])\" y1=\"\(upper[0].split(separator: ",")[1])\" x2=\"\(lower[0].split(separator: ",")[0])\" y2=\"\(lower[0].split(separator: ",")[1])\" stroke=\"\(colors.candidate)\" stroke-opacity=\"0.35\" stroke-width=\"8\"/>"
            } else {
                svg +=
                    "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(colors.candidate)\" fill-opacity=\"0.15\"/>"
            }
        }
        for (series, color) in [(baseline, colors.baseline), (candidate, colors.candidate)] {
            var path = ""
            for (index, value) in series.enumerated() {
                guard let value else { continue }
                path += (path.isEmpty ? "M" : " L") + "\(f(x(index))),\(f(y(value)))"
                svg += "<circle cx=\"\(f(x(index)))\" cy=\"\(f(y(value)))\" r=\"3\" fill=\"\(color)\"/>"
            }
            if !path.isEmpty { svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>" }
        }
        svg +=
            "<text x=\"44\" y=\"\(Int(height) - 6)\"><tspan fill=\"\(colors.baseline)\">■ baseline</tspan> <tspan fill=\"\(colors.candidate)\">■ candidate (band: interval)</tspan></text>"
        return svg + "</svg>"
    }

    static func metricTable(_ metrics: [MetricResult]) -> String {
        var html =
            "<table><tr><th>Metric</th><th>Role</th><th>Baseline</th><th>Candidate</th><th>Δ or ratio</th><th>Interval</th><th>Status</th><th>Method</th></tr>"
        for metric in metrics {
            html +=
                "<tr><td>\(escape(metric.name))</td><td>\(metric.role)</td><td>\(escape(AnalysisCIReport.value(metric.baseline)))</td>"
            html +=
                "<td>\(escape(AnalysisCIReport.value(metric.candidate)))</td><td>\(escape(AnalysisCIReport.change(metric)))</td>"
            html +=
                "<td>\(escape(AnalysisCIReport.interval(metric)))</td><td class=\"\(metric.status)\">\(metric.status)</td>"
            html += "<td style=\"text-align:left\">\(escape(metric.method))</td></tr>"
        }
        return html + "</table>\n"
    }

    static func segmentTable(_ segments: [SegmentResult]) -> String {
        var html =
            "<table><tr><th>Segment</th><th>Success (baseline)</th><th>Success (candidate)</th><th>Δ</th><th>Interval</th><th>Status</th><th>Cost ratio</th></tr>"
        for segment in segments {
            let metric = segment.successRate
            html += "<tr><td>\(escape(segment.name))</td><td>\(escape(AnalysisCIReport.value(metric.baseline)))</td>"
            html +=
                "<td>\(escape(AnalysisCIReport.value(metric.candidate)))</td><td>\(metric.difference.map(Judge.format) ?? "–")</td>"
            html +=
                "<td>\(escape(AnalysisCIReport.interval(metric)))</td><td class=\"\(metric.status)\">\(metric.status)</td>"
            html += "<td>\(segment.costPerTask?.ratio.map(Judge.format) ?? "–")</td></tr>"
        }
        return html + "</table>\n"
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

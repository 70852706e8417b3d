import Foundation
import Policy
import Statistics

/// Turns a look's sufficient statistics into a decision. Pure and deterministic: `monitor rejudge`
/// recomputes a stored look by calling it on the stored ``LookInputs``.
///
/// Every comparison uses an always-valid method, so looking again and again (every minute) does not inflate
/// the error rate: one-sided normal-mixture mSPRT bounds (Johari et al. 2022; a half-normal mixture, Howard et
/// al. 2021) for rates, ratios and quantile exceedances, a Beta-mixture conditional binomial test for rare
/// events. α is split (weighted Bonferroni, see ``alphaShares(_:)``) over the metrics that can roll back, and
/// separately over those that can only hold.
package enum Judge {
    package static let reference =
        "Johari, Koomen, Pekelis, Walsh, 'Always Valid Inference: Continuous Monitoring of A/B Tests', "
        + "Operations Research 70(3), 2022; Deng, Knoblich, Lu, 'Applying the Delta Method in Metric Analytics', KDD 2018"

    /// The metrics that apply in `mode` (shadow agreement only in shadow mode).
    package static func applicable(_ metrics: [MetricPolicy], mode: RolloutMode) -> [MetricPolicy] {
        metrics.filter { mode == .shadow || $0.name != "shadow_agreement" }
    }

    /// Whether a metric's regression rolls back in `mode` (in shadow mode, where only the agreement can show
    /// non-inferiority, other primary metrics act as guardrails).
    package static func rollsBack(_ metric: MetricPolicy) -> Bool {
        metric.role == .primary || metric.role == .guardrail
    }

    /// Each metric's share of α (weighted Bonferroni). The metrics that can roll back share one α: half to the
    /// primary metrics, the question the canary is run to answer, half to the guardrails, evenly within each
    /// (all to one group when the other is empty). The signals, which can only hold, share another α evenly.
    static func alphaShares(_ metrics: [MetricPolicy]) -> [String: Double] {
        let primaries = metrics.filter { $0.role == .primary }
        let guardrails = metrics.filter { $0.role == .guardrail }
        let signals = metrics.filter { !rollsBack($0) }
        var shares: [String: Double] = [:]
        let primaryShare = guardrails.isEmpty ? 1 : primaries.isEmpty ? 0 : 0.5
        for metric in primaries { shares[metric.name] = primaryShare / Double(primaries.count) }
        for metric in guardrails { shares[metric.name] = (1 - primaryShare) / Double(guardrails.count) }
        for metric in signals { shares[metric.name] = 1 / Double(signals.count) }
        return shares
    }

    /// The decision of a look.
    package static func judge(_ inputs: LookInputs) -> Judgement {
        let monitor = inputs.monitor
        let mode = inputs.step.mode
        let metrics = applicable(monitor.metrics, mode: mode)
        let prometheus = monitor.prometheusMetrics.map(\.metric)
        let shares = alphaShares(metrics + prometheus)
        func alpha(_ metric: MetricPolicy) -> Double { monitor.alpha * (shares[metric.name] ?? 0) }

        var results: [MetricResult] = []
        for metric in metrics {
            results.append(evaluate(metric, inputs: inputs, alpha: alpha(metric)))
        }
        for entry in monitor.prometheusMetrics {
            results.append(
                evaluatePrometheus(
                    entry.metric, values: inputs.prometheus[entry.metric.name], alpha: alpha(entry.metric)))
        }

        // Health.
        var srm = SampleRatioHealth(
            checked: false, expectedCandidateShare: nil, baselineConversations: inputs.stepConversations[0],
            candidateConversations: inputs.stepConversations[1], pValue: nil, mismatch: false)
        if mode == .canary, let weight = inputs.step.weight, weight > 0, weight < 100 {
            let share = Double(weight) / 100
            let observed = inputs.stepConversations.map(Double.init)
            if observed.reduce(0, +) > 0 {
                let test = DistributionComparison.chiSquareGoodnessOfFit(
                    observed: observed, expectedShares: [1 - share, share])
                srm = SampleRatioHealth(
                    checked: true, expectedCandidateShare: share, baselineConversations: inputs.stepConversations[0],
                    candidateConversations: inputs.stepConversations[1], pValue: test.pValue,
                    mismatch: test.pValue < monitor.srmPValue)
            }
        }
        let sample = requirement(inputs, metrics: metrics, alpha: alpha)
        let minDurationMet = inputs.step.elapsedSeconds.map { $0 >= inputs.step.minDurationSeconds } ?? true
        let units = mode == .shadow ? [inputs.shadowPairs, inputs.shadowPairs] : inputs.tasks
        let stepUnits = mode == .shadow ? inputs.shadowPairs : inputs.stepTasks[1]
        let enough =
            units[1] >= sample.requiredCandidateTasks && units[0] >= sample.baselineFloor
            && stepUnits >= inputs.step.minTasks
        let health = Health(
            sampleRatio: srm, mixedVersionConversations: inputs.mixedConversations,
            mixedVersionExamples: inputs.mixedExamples, criticalViolations: inputs.criticalViolations,
            criticalViolationExamples: inputs.criticalExamples, enoughData: enough, minDurationMet: minDurationMet)

        // Decision, in order of precedence.
        var decision = Decision.promote
        var reasons: [String] = []
        let policies = Dictionary(uniqueKeysWithValues: (metrics + prometheus).map { ($0.name, $0) })
        let regressed = results.filter { $0.status == .regressed }
        let rollbackRegressions = regressed.filter { policies[$0.name].map(rollsBack) ?? false }
        let signalRegressions = regressed.filter { !(policies[$0.name].map(rollsBack) ?? false) }
        if inputs.criticalViolations > 0 {
            decision = .rollback
            reasons.append(
                "\(inputs.criticalViolations) critical violation(s) by the candidate "
                    + "(\(inputs.criticalExamples.joined(separator: ", "))): rolled back whatever the sample")
        }
        if let budget = monitor.rogueActionBudget, inputs.rogue.baselineEvents == 0,
            inputs.rogue.candidateEvents > budget
        {
            decision = .rollback
            reasons.append(
                "\(inputs.rogue.candidateEvents) candidate task(s) with an unauthorized action and none by the baseline "
                    + "(budget \(budget)): rolled back whatever the sample")
        }
        for result in rollbackRegressions {
            decision = .rollback
            reasons.append("\(result.role) metric \(result.name) regressed: \(describe(result))")
        }
        if decision != .rollback {
            if srm.mismatch {
                decision = .hold
                reasons.append(
                    "sample-ratio mismatch: \(srm.candidateConversations) candidate and \(srm.baselineConversations) "
                        + "baseline conversations this step, expected a \(Int(((srm.expectedCandidateShare ?? 0) * 100).rounded())) % "
                        + "candidate share (chi-square p = \(format(srm.pValue ?? 0))): check the routing before judging"
                )
            }
            if inputs.mixedConversations > 0 {
                decision = .hold
                reasons.append(
                    "routing fault: \(inputs.mixedConversations) conversation(s) seen on both versions "
                        + "(\(inputs.mixedExamples.joined(separator: ", ")))")
            }
            for result in signalRegressions {
                decision = .hold
                reasons.append("signal \(result.name) regressed: \(describe(result))")
            }
        }
        if decision == .promote {
            let primaries = results.filter {
                policies[$0.name]?.role == .primary && (mode != .shadow || $0.name == "shadow_agreement")
            }
            if !enough {
                decision = .continue
                reasons.append(
                    "too little data: \(units[1]) candidate and \(units[0]) baseline "
                        + (mode == .shadow ? "shadow pairs" : "tasks")
                        + " (\(sample.requiredCandidateTasks) candidate and \(sample.baselineFloor) baseline needed)"
                        + (sample.estimatedSecondsRemaining.map {
                            " (about \($0 / 60 + 1) min more at the observed traffic)"
                        } ?? ""))
            } else if stepUnits < inputs.step.minTasks {
                decision = .continue
                reasons.append(
                    "this step has \(stepUnits) candidate \(mode == .shadow ? "shadow pairs" : "tasks") of its minimum "
                        + "\(inputs.step.minTasks)")
            } else if !minDurationMet {
                decision = .continue
                reasons.append(
                    "the step has lasted \(inputs.step.elapsedSeconds ?? 0) s of its minimum \(inputs.step.minDurationSeconds) s"
                )
            }
            let unproven = primaries.filter { $0.status != .nonInferior }
            if !unproven.isEmpty {
                decision = .continue
                for result in unproven {
                    reasons.append("primary metric \(result.name) not yet shown non-inferior: \(describe(result))")
                }
            }
            if decision == .promote {
                reasons.append(
                    primaries.isEmpty
                        ? "no regression and enough data"
                        : "every primary metric is non-inferior within its margin and no guardrail regressed")
            }
        }
        var shadow: ShadowSummary?
        if mode == .shadow {
            shadow = ShadowSummary(
                pairs: inputs.shadowPairs, agreements: inputs.shadowAgreements,
                disagreements: inputs.shadowPairs - inputs.shadowAgreements)
        }
        // Segments are reported, not judged: the policy's margins and minimum samples, as signals.
        func segmentPolicy(_ name: String) -> MetricPolicy? {
            guard var metric = monitor.metrics.first(where: { $0.name == name }) ?? MonitorSection.builtIn(name) else {
                return nil
            }
            metric.role = .signal
            return metric
        }
        let segments = inputs.segments.compactMap { segment -> SegmentResult? in
            guard let success = segmentPolicy("task_success_rate") else { return nil }
            let cost = segmentPolicy("cost_per_task")
            return SegmentResult(
                name: segment.name,
                successRate: difference(success, segment.success, alpha: monitor.alpha, clustered: false),
                costPerTask: segment.cost[0].clusters + segment.cost[1].clusters > 0
                    ? cost.map { ratio($0, segment.cost, alpha: monitor.alpha, clustered: false) } : nil)
        }
        return Judgement(
            decision: decision, reasons: reasons, health: health, sample: sample, metrics: results,
            segments: segments, shadow: shadow)
    }

    package static func describe(_ result: MetricResult) -> String {
        let b = result.baseline.value.map(format) ?? "–"
        let c = result.candidate.value.map(format) ?? "–"
        var text = "candidate \(c) vs baseline \(b)"
        if let low = result.ciLow, let high = result.ciHigh {
            let what = result.difference != nil && result.ratio == nil ? "difference" : "ratio"
            text += ", \(what) interval [\(format(low)), \(format(high))]"
        }
        if let note = result.note { text += " (\(note))" }
        return text
    }

    package static func format(_ value: Double) -> String {
        if value == 0 { return "0" }
        if !value.isFinite { return value > 0 ? "∞" : "-∞" }
        let magnitude = abs(value)
        if magnitude >= 1000 { return String(format: "%.0f", value) }
        if magnitude >= 1 { return String(format: "%.3g", value) }
        if magnitude >= 0.001 { return String(format: "%.4f", value) }
        return String(format: "%.2e", value)
    }
}

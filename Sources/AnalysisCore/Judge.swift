import Foundation
import Policy
import Statistics
import Vocabulary

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
        let policies = Dictionary(uniqueKeysWithValues: (metrics + prometheus).map { ($0.name, $0) })
        let crossed = crossedBoundaries(inputs, primaries: primaries(results, policies: policies, mode: mode))
        let sample = requirement(inputs, metrics: metrics, alpha: alpha, crossed: crossed)
        let health = health(inputs, sample: sample)
        let (decision, reasons) = decide(inputs, results: results, policies: policies, health: health, sample: sample)
        var shadow: ShadowSummary?
        if mode == .shadow {
            shadow = ShadowSummary(
                pairs: inputs.shadowPairs, agreements: inputs.shadowAgreements,
                disagreements: inputs.shadowPairs - inputs.shadowAgreements)
        }
        return Judgement(
            decision: decision, reasons: reasons, health: health, sample: sample, metrics: results,
            segments: segments(inputs), shadow: shadow)
    }

    /// What is being counted — shadow pairs in shadow mode, tasks otherwise — per arm, and the candidate's in
    /// this step.
    static func units(_ inputs: LookInputs) -> (total: PerArm<Int>, candidateThisStep: Int) {
        inputs.step.mode == .shadow
            ? (PerArm(baseline: inputs.shadowPairs, candidate: inputs.shadowPairs), inputs.shadowPairs)
            : (inputs.tasks, inputs.stepTasks.candidate)
    }

    /// The look's health: the sample ratio (in canary mode, at a weight strictly between 0 and 100), the
    /// conversations on both versions, the critical violations, whether the sample and the step's minimums
    /// are met.
    static func health(_ inputs: LookInputs, sample: SampleRequirement) -> Health {
        let monitor = inputs.monitor
        var srm = SampleRatioHealth(
            checked: false, expectedCandidateShare: nil, baselineConversations: inputs.stepConversations.baseline,
            candidateConversations: inputs.stepConversations.candidate, pValue: nil, mismatch: false)
        if inputs.step.mode == .canary, let weight = inputs.step.weight, weight > 0, weight < 100 {
            let share = Double(weight) / 100
            let observed = inputs.stepConversations.map(Double.init).both
            if observed.reduce(0, +) > 0 {
                let test = DistributionComparison.chiSquareGoodnessOfFit(
                    observed: observed, expectedShares: [1 - share, share])
                srm = SampleRatioHealth(
                    checked: true, expectedCandidateShare: share,
                    baselineConversations: inputs.stepConversations.baseline,
                    candidateConversations: inputs.stepConversations.candidate, pValue: test.pValue,
                    mismatch: test.pValue < monitor.srmPValue)
            }
        }
        let minDurationMet = inputs.step.elapsedSeconds.map { $0 >= inputs.step.minDurationSeconds } ?? true
        let (units, stepUnits) = units(inputs)
        let enough =
            units.candidate >= sample.requiredCandidateTasks && units.baseline >= sample.baselineFloor
            && stepUnits >= inputs.step.minTasks
        return Health(
            sampleRatio: srm, mixedVersionConversations: inputs.mixedConversations,
            mixedVersionExamples: inputs.mixedExamples, criticalViolations: inputs.criticalViolations,
            criticalViolationExamples: inputs.criticalExamples, enoughData: enough, minDurationMet: minDurationMet)
    }

    /// The segments, reported and not judged: the policy's margins and minimum samples, as signals.
    static func segments(_ inputs: LookInputs) -> [SegmentResult] {
        let monitor = inputs.monitor
        // Segments that arrived only for the covariate adjustment are not reported.
        guard monitor.segments else { return [] }
        func segmentPolicy(_ name: String) -> MetricPolicy? {
            guard var metric = monitor.metrics.first(where: { $0.name == name }) ?? MonitorSection.builtIn(name) else {
                return nil
            }
            metric.role = .signal
            return metric
        }
        return inputs.segments.compactMap { segment -> SegmentResult? in
            guard let success = segmentPolicy("task_success_rate") else { return nil }
            let cost = segmentPolicy("cost_per_task")
            return SegmentResult(
                name: segment.name,
                successRate: difference(success, segment.success, alpha: monitor.alpha, clustered: false),
                costPerTask: segment.cost.baseline.clusters + segment.cost.candidate.clusters > 0
                    ? cost.map { ratio($0, segment.cost, alpha: monitor.alpha, clustered: false) } : nil)
        }
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

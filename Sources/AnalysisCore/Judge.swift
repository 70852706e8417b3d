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
    package static func applicable(_ metrics: [MetricPolicy], mode: String) -> [MetricPolicy] {
        metrics.filter { mode == "shadow" || $0.name != "shadow_agreement" }
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
        if mode == "canary", let weight = inputs.step.weight, weight > 0, weight < 100 {
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
        let units = mode == "shadow" ? [inputs.shadowPairs, inputs.shadowPairs] : inputs.tasks
        let stepUnits = mode == "shadow" ? inputs.shadowPairs : inputs.stepTasks[1]
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
        let regressed = results.filter { $0.status == "regressed" }
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
                policies[$0.name]?.role == .primary && (mode != "shadow" || $0.name == "shadow_agreement")
            }
            if !enough {
                decision = .continue
                reasons.append(
                    "too little data: \(units[1]) candidate and \(units[0]) baseline "
                        + (mode == "shadow" ? "shadow pairs" : "tasks")
                        + " (\(sample.requiredCandidateTasks) candidate and \(sample.baselineFloor) baseline needed)"
                        + (sample.estimatedSecondsRemaining.map {
                            " (about \($0 / 60 + 1) min more at the observed traffic)"
                        } ?? ""))
            } else if stepUnits < inputs.step.minTasks {
                decision = .continue
                reasons.append(
                    "this step has \(stepUnits) candidate \(mode == "shadow" ? "shadow pairs" : "tasks") of its minimum "
                        + "\(inputs.step.minTasks)")
            } else if !minDurationMet {
                decision = .continue
                reasons.append(
                    "the step has lasted \(inputs.step.elapsedSeconds ?? 0) s of its minimum \(inputs.step.minDurationSeconds) s"
                )
            }
            let unproven = primaries.filter { $0.status != "non_inferior" }
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
        if mode == "shadow" {
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

    // MARK: - Metrics

    static func evaluate(_ metric: MetricPolicy, inputs: LookInputs, alpha: Double) -> MetricResult {
        switch metric.name {
        case "task_success_rate", "error_rate", "user_satisfaction", "judge_score":
            return difference(metric, inputs.ratios[metric.name] ?? [], alpha: alpha, clustered: true)
        case "cost_per_task", "tokens_per_task", "steps_per_task":
            return ratio(metric, inputs.ratios[metric.name] ?? [], alpha: alpha, clustered: true)
        case "rogue_action_rate":
            return rare(metric, inputs.rogue, alpha: alpha)
        case "latency_p50", "latency_p95", "latency_p99":
            return quantile(metric, inputs.quantiles[metric.name], alpha: alpha)
        case "tool_mix_drift":
            return drift(metric, inputs.toolMix, alpha: alpha)
        case "steps_drift":
            return drift(metric, inputs.stepsMix, alpha: alpha)
        case "shadow_agreement":
            return agreement(metric, pairs: inputs.shadowPairs, agreements: inputs.shadowAgreements, alpha: alpha)
        default:
            return empty(metric, alpha: alpha, method: "unknown", note: "no such metric")
        }
    }

    static func empty(_ metric: MetricPolicy, alpha: Double, method: String, note: String?) -> MetricResult {
        MetricResult(
            name: metric.name, role: metric.role.rawValue, direction: metric.direction.rawValue, status: "insufficient",
            baseline: ArmValue(value: nil, n: 0, conversations: nil),
            candidate: ArmValue(value: nil, n: 0, conversations: nil),
            difference: nil, ratio: nil, ciLow: nil, ciHigh: nil, margin: metric.margin, pValue: nil, alpha: alpha,
            method: method, note: note)
    }

    /// The status of a metric: regressed when the one-sided test of "the candidate is not worse" `rejected`
    /// it, non-inferior when the bound [low, high] on the good side lies within `limit` (the worst acceptable
    /// difference), else inconclusive.
    static func status(rejected: Bool, low: Double, high: Double, limit: Double, direction: MetricDirection)
        -> String
    {
        if rejected { return "regressed" }
        switch direction {
        case .higher: if low > limit { return "non_inferior" }
        case .lower: if high < limit { return "non_inferior" }
        }
        return "inconclusive"
    }

    /// A rate or mean per task: the difference of two delta-method ratios, always-valid interval.
    static func difference(_ metric: MetricPolicy, _ sums: [ClusterSums], alpha: Double, clustered: Bool)
        -> MetricResult
    {
        let method =
            clustered
            ? "difference of ratio means, delta method over conversations, one-sided mSPRT bounds"
            : "difference of task-level rates, one-sided mSPRT bounds"
        guard sums.count == 2, let b = sums[0].ratio, let c = sums[1].ratio else {
            return empty(metric, alpha: alpha, method: method, note: "no data")
        }
        var result = empty(metric, alpha: alpha, method: method, note: nil)
        result.baseline = ArmValue(value: b, n: Int(sums[0].sumN), conversations: clustered ? sums[0].clusters : nil)
        result.candidate = ArmValue(value: c, n: Int(sums[1].sumN), conversations: clustered ? sums[1].clusters : nil)
        result.difference = c - b
        guard Int(sums[0].sumN) >= metric.minSample, Int(sums[1].sumN) >= metric.minSample,
            var vb = sums[0].ratioVariance, var vc = sums[1].ratioVariance
        else {
            result.note = "fewer than \(metric.minSample) tasks per arm"
            return result
        }
        // A rate of exactly 0 or 1 has no sample variance; use the variance of one event more (a continuity
        // floor) so that a perfect arm is not infinitely certain.
        vb = max(vb, TwoArmVariance.floor(b, n: sums[0].sumN))
        vc = max(vc, TwoArmVariance.floor(c, n: sums[1].sumN))
        let variance = vb + vc
        let tau2 = pow(max(metric.margin, 0.005), 2)
        let half = SequentialTests.oneSidedHalfWidth(variance: variance, tau2: tau2, scales: tauScales, alpha: alpha)
        let theta = c - b
        result.ciLow = theta - half
        result.ciHigh = theta + half
        let null = TwoArmVariance.rateTest(
            rate: (sums[0].sumY + sums[1].sumY) / (sums[0].sumN + sums[1].sumN), n: (sums[0].sumN, sums[1].sumN),
            pooled: TwoArmVariance.underNoDifference(sums, relative: false), own: variance)
        let pValue = harmPValue(theta, variance: null, tau2: tau2, direction: metric.direction)
        result.pValue = pValue
        let limit = metric.direction == .higher ? -metric.margin : metric.margin
        result.status = status(
            rejected: pValue <= alpha, low: theta - half, high: theta + half, limit: limit,
            direction: metric.direction)
        return result
    }

    /// The mixing variances, as multiples of each metric's τ² (its margin²): the margin itself, for the small
    /// regressions that take long to show, and a 3× wider one, which catches large regressions in the first
    /// minutes of a step.
    static let tauScales = [1.0, 9.0]

    /// The one-sided always-valid p-value against "the candidate is not worse": a shift in the metric's bad
    /// direction only (lower for higher-is-better metrics).
    static func harmPValue(_ theta: Double, variance: Double, tau2: Double, direction: MetricDirection) -> Double {
        SequentialTests.oneSidedPValue(
            estimate: direction == .higher ? -theta : theta, variance: variance, tau2: tau2, scales: tauScales)
    }

    /// A ratio of means (cost per task): the log of the ratio, delta method, always-valid interval.
    static func ratio(_ metric: MetricPolicy, _ sums: [ClusterSums], alpha: Double, clustered: Bool) -> MetricResult {
        let method =
            clustered
            ? "log ratio of ratio means, delta method over conversations, one-sided mSPRT bounds"
            : "log ratio of task-level means, one-sided mSPRT bounds"
        guard sums.count == 2, let b = sums[0].ratio, let c = sums[1].ratio else {
            return empty(metric, alpha: alpha, method: method, note: "no data")
        }
        var result = empty(metric, alpha: alpha, method: method, note: nil)
        result.baseline = ArmValue(value: b, n: Int(sums[0].sumN), conversations: clustered ? sums[0].clusters : nil)
        result.candidate = ArmValue(value: c, n: Int(sums[1].sumN), conversations: clustered ? sums[1].clusters : nil)
        guard b > 0, c > 0 else {
            result.note = "a mean of zero has no ratio"
            return result
        }
        result.ratio = c / b
        guard Int(sums[0].sumN) >= metric.minSample, Int(sums[1].sumN) >= metric.minSample,
            let vb = sums[0].ratioVariance, let vc = sums[1].ratioVariance
        else {
            result.note = "fewer than \(metric.minSample) tasks per arm"
            return result
        }
        let variance = vb / (b * b) + vc / (c * c)
        let tau2 = pow(log1p(max(metric.margin, 0.01)), 2)
        let theta = log(c / b)
        let half = SequentialTests.oneSidedHalfWidth(variance: variance, tau2: tau2, scales: tauScales, alpha: alpha)
        result.ciLow = exp(theta - half)
        result.ciHigh = exp(theta + half)
        let pValue = harmPValue(
            theta, variance: TwoArmVariance.underNoDifference(sums, relative: true) ?? variance, tau2: tau2,
            direction: metric.direction)
        result.pValue = pValue
        let limit = metric.direction == .higher ? log1p(-min(metric.margin, 0.99)) : log1p(metric.margin)
        result.status = status(
            rejected: pValue <= alpha, low: theta - half, high: theta + half, limit: limit,
            direction: metric.direction)
        return result
    }

    /// Rare events (rogue actions): the conditional binomial mixture test on counts, whatever the zeros.
    static func rare(_ metric: MetricPolicy, _ counts: RareCounts, alpha: Double) -> MetricResult {
        let method = "conditional binomial test with a Beta(1,1) mixture (always valid), rate-ratio confidence sequence"
        var result = empty(metric, alpha: alpha, method: method, note: nil)
        let nb = Double(counts.baselineTasks)
        let nc = Double(counts.candidateTasks)
        guard nb > 0, nc > 0 else {
            result.note = "no tasks on one arm"
            return result
        }
        let rb = Double(counts.baselineEvents) / nb
        let rc = Double(counts.candidateEvents) / nc
        result.baseline = ArmValue(value: rb, n: counts.baselineTasks, conversations: nil)
        result.candidate = ArmValue(value: rc, n: counts.candidateTasks, conversations: nil)
        result.difference = rc - rb
        guard counts.baselineTasks >= metric.minSample, counts.candidateTasks >= metric.minSample else {
            result.note = "fewer than \(metric.minSample) tasks per arm"
            return result
        }
        let share = nc / (nb + nc)
        let lambda = SequentialTests.conditionalBinomialMixtureRatio(
            candidate: counts.candidateEvents, baseline: counts.baselineEvents, share: share)
        let interval = SequentialTests.rareRateRatioInterval(
            candidate: counts.candidateEvents, baseline: counts.baselineEvents, candidateExposure: nc,
            baselineExposure: nb, alpha: alpha)
        result.ratio = rb > 0 ? rc / rb : (rc > 0 ? .infinity : nil)
        result.ciLow = interval.low
        result.ciHigh = interval.high.isFinite ? interval.high : nil
        result.pValue = min(1, 1 / lambda)
        let total = counts.candidateEvents + counts.baselineEvents
        let worse =
            metric.direction == .lower
            ? Double(counts.candidateEvents) > share * Double(total)
            : Double(counts.candidateEvents) < share * Double(total)
        if lambda >= 1 / alpha, worse {
            result.status = "regressed"
        } else if interval.high.isFinite, interval.high <= 1 + metric.margin {
            result.status = "non_inferior"
        } else {
            result.status = total == 0 ? "non_inferior" : "inconclusive"
            if total == 0 { result.note = "no events on either arm" }
        }
        if result.ratio == .infinity { result.ratio = nil }
        return result
    }

    /// A latency quantile: the share of each arm's tasks above the pooled quantile, always-valid interval
    /// on the difference of the shares, plus the margin on the quantiles' ratio for practical significance.
    static func quantile(_ metric: MetricPolicy, _ counts: QuantileCounts?, alpha: Double) -> MetricResult {
        let method =
            "exceedance of the pooled quantile (task-level proportions), one-sided mSPRT bounds; "
            + "log-bucket histogram, 1 % relative error"
        guard let counts, counts.baselineTotal > 0, counts.candidateTotal > 0 else {
            return empty(metric, alpha: alpha, method: method, note: "no latency data")
        }
        var result = empty(metric, alpha: alpha, method: method, note: nil)
        result.baseline = ArmValue(value: counts.baselineQuantile, n: counts.baselineTotal, conversations: nil)
        result.candidate = ArmValue(value: counts.candidateQuantile, n: counts.candidateTotal, conversations: nil)
        result.ratio = counts.candidateQuantile / counts.baselineQuantile
        guard counts.baselineTotal >= metric.minSample, counts.candidateTotal >= metric.minSample else {
            result.note = "fewer than \(metric.minSample) tasks per arm"
            return result
        }
        let nb = Double(counts.baselineTotal)
        let nc = Double(counts.candidateTotal)
        let pb = Double(counts.baselineAbove) / nb
        let pc = Double(counts.candidateAbove) / nc
        let variance = TwoArmVariance.floor(pb, n: nb) + TwoArmVariance.floor(pc, n: nc)
        let tail = max(0.01, 1 - counts.quantile)
        let tau2 = tail * tail
        let theta = pc - pb
        let half = SequentialTests.oneSidedHalfWidth(variance: variance, tau2: tau2, scales: tauScales, alpha: alpha)
        let null = TwoArmVariance.rateTest(
            rate: Double(counts.baselineAbove + counts.candidateAbove) / (nb + nc), n: (nb, nc), pooled: nil,
            own: variance)
        let pValue = harmPValue(theta, variance: null, tau2: tau2, direction: .lower)
        result.pValue = pValue
        // The interval reported is on the exceedance difference; the note says so.
        result.difference = theta
        result.ciLow = theta - half
        result.ciHigh = theta + half
        result.note =
            "difference and interval: share of tasks above the pooled p\(Int(counts.quantile * 100)) of \(format(counts.threshold)) ms"
        let practical = result.ratio ?? 1
        if pValue <= alpha, practical > 1 + metric.margin {
            result.status = "regressed"
        } else if theta + half < tail, practical <= 1 + metric.margin {
            result.status = "non_inferior"
        } else {
            result.status = "inconclusive"
        }
        return result
    }

    /// Behavioural drift of a categorical distribution: Jensen–Shannon distance and a chi-square test.
    static func drift(_ metric: MetricPolicy, _ counts: CategoricalCounts, alpha: Double) -> MetricResult {
        let method = "Jensen-Shannon distance (base 2) and Pearson chi-square test of homogeneity"
        let nb = counts.baseline.reduce(0, +)
        let nc = counts.candidate.reduce(0, +)
        guard nb > 0, nc > 0 else { return empty(metric, alpha: alpha, method: method, note: "no data") }
        var result = empty(metric, alpha: alpha, method: method, note: nil)
        result.baseline = ArmValue(value: nil, n: Int(nb), conversations: nil)
        result.candidate = ArmValue(value: nil, n: Int(nc), conversations: nil)
        let distance = DistributionComparison.jensenShannonDistance(counts.baseline, counts.candidate)
        result.difference = distance
        guard Int(nb) >= metric.minSample, Int(nc) >= metric.minSample else {
            result.note = "fewer than \(metric.minSample) observations per arm"
            return result
        }
        let test = DistributionComparison.chiSquareHomogeneity(counts.baseline, counts.candidate)
        result.pValue = test.pValue
        result.note =
            "Jensen-Shannon distance \(format(distance)); chi-square \(format(test.statistic)) on \(test.degreesOfFreedom) df"
        if test.pValue < alpha, distance >= metric.margin {
            result.status = "regressed"
        } else if distance < metric.margin {
            result.status = "non_inferior"
        } else {
            result.status = "inconclusive"
        }
        return result
    }

    /// Shadow mode: the share of requests where the candidate proposed the stable version's tool sequence.
    static func agreement(_ metric: MetricPolicy, pairs: Int, agreements: Int, alpha: Double) -> MetricResult {
        let method = "one-sample proportion, one-sided mSPRT bounds"
        guard pairs > 0 else { return empty(metric, alpha: alpha, method: method, note: "no paired shadow requests") }
        var result = empty(metric, alpha: alpha, method: method, note: nil)
        let rate = Double(agreements) / Double(pairs)
        result.baseline = ArmValue(value: 1, n: pairs, conversations: nil)
        result.candidate = ArmValue(value: rate, n: pairs, conversations: nil)
        result.difference = rate - 1
        guard pairs >= metric.minSample else {
            result.note = "fewer than \(metric.minSample) paired requests"
            return result
        }
        let variance = TwoArmVariance.floor(rate, n: Double(pairs))
        let tau2 = pow(max(metric.margin, 0.01), 2)
        let half = SequentialTests.oneSidedHalfWidth(variance: variance, tau2: tau2, scales: tauScales, alpha: alpha)
        result.ciLow = rate - 1 - half
        result.ciHigh = min(0, rate - 1 + half)
        result.note =
            "agreement on the tool-call sequence with the stable version, at least \(format(1 - metric.margin)) needed"
        if rate + half < 1 - metric.margin {
            result.status = "regressed"
        } else if rate - half >= 1 - metric.margin {
            result.status = "non_inferior"
        } else {
            result.status = "inconclusive"
        }
        return result
    }

    /// A Prometheus metric: one value per arm, no sample; judged on the margin alone.
    static func evaluatePrometheus(_ metric: MetricPolicy, values: [Double?]?, alpha: Double) -> MetricResult {
        let method = "Prometheus query per arm; relative margin, no sampling error available"
        guard let values, values.count == 2, let b = values[0], let c = values[1] else {
            return empty(
                metric, alpha: alpha, method: method, note: "the query returned no sample for an arm (not a failure)")
        }
        var result = empty(metric, alpha: alpha, method: method, note: nil)
        result.baseline = ArmValue(value: b, n: 0, conversations: nil)
        result.candidate = ArmValue(value: c, n: 0, conversations: nil)
        result.difference = c - b
        if b != 0 { result.ratio = c / b }
        let worse: Bool
        switch metric.direction {
        case .lower: worse = b == 0 ? c > metric.margin : c > b * (1 + metric.margin)
        case .higher: worse = b == 0 ? false : c < b * (1 - metric.margin)
        }
        result.status = worse ? "regressed" : "non_inferior"
        return result
    }

    // MARK: - Sample size

    /// The candidate tasks the step needs: for each primary metric, the smallest n at which a true regression
    /// the size of the margin is caught with the policy's power, i.e. margin ≥ h(n) + z_power·√V(n), where
    /// h is the confidence sequence's half-width and V(n) the variance of the difference with n candidate
    /// tasks and r·n baseline tasks (r: the observed baseline/candidate ratio, else the step's split), scaled
    /// from the observed variance (so conversation clustering counts) or from a prior before data.
    static func requirement(_ inputs: LookInputs, metrics: [MetricPolicy], alpha: (MetricPolicy) -> Double)
        -> SampleRequirement
    {
        let monitor = inputs.monitor
        let zPower = Distributions.normalQuantile(monitor.power)
        var allocation = 1.0
        if inputs.tasks[0] > 0, inputs.tasks[1] > 0 {
            allocation = Double(inputs.tasks[0]) / Double(inputs.tasks[1])
        } else if let weight = inputs.step.weight, weight > 0, weight < 100 {
            allocation = Double(100 - weight) / Double(weight)
        }
        var powerN = 0
        var floorN = 0
        let mode = inputs.step.mode
        for metric in metrics where metric.role == .primary && (mode != "shadow" || metric.name == "shadow_agreement") {
            floorN = max(floorN, metric.minSample)
            // The variance of one arm's estimate at one unit, on the scale the test uses.
            var unitVariance: Double
            var tau2: Double
            var margin = metric.margin
            switch metric.name {
            case "task_success_rate", "error_rate", "user_satisfaction", "judge_score":
                let sums = inputs.ratios[metric.name] ?? []
                let p = sums.first?.ratio ?? (metric.name == "error_rate" ? 0.05 : 0.8)
                unitVariance = max(p * (1 - p), 0.01)
                if let observed = sums.first?.ratioVariance, let n = sums.first?.sumN, n > 30 {
                    unitVariance = max(unitVariance, observed * n)
                }
                tau2 = pow(max(metric.margin, 0.005), 2)
            case "cost_per_task", "tokens_per_task", "steps_per_task":
                let sums = inputs.ratios[metric.name] ?? []
                unitVariance = 1
                if let observed = sums.first?.ratioVariance, let mean = sums.first?.ratio, mean > 0,
                    let n = sums.first?.sumN, n > 30
                {
                    unitVariance = observed * n / (mean * mean)
                }
                margin = log1p(metric.margin)
                tau2 = pow(log1p(max(metric.margin, 0.01)), 2)
            case "shadow_agreement":
                unitVariance = 0.1
                tau2 = pow(max(metric.margin, 0.01), 2)
            default:
                continue
            }
            guard margin > 0 else { continue }
            let arms = metric.name == "shadow_agreement" ? 1.0 : 1 + 1 / allocation
            let a = alpha(metric)
            func enough(_ n: Int) -> Bool {
                let variance = arms * unitVariance / Double(n)
                let half = SequentialTests.oneSidedHalfWidth(
                    variance: variance, tau2: tau2, scales: tauScales, alpha: a)
                return half + zPower * variance.squareRoot() <= margin
            }
            var low = 1
            var high = 1
            while !enough(high), high < 100_000_000 { high *= 2 }
            while low < high {
                let middle = (low + high) / 2
                if enough(middle) { high = middle } else { low = middle + 1 }
            }
            powerN = max(powerN, high)
        }
        let required = max(powerN, floorN)
        let units = mode == "shadow" ? inputs.shadowPairs : inputs.tasks[1]
        let stepUnits = mode == "shadow" ? inputs.shadowPairs : inputs.stepTasks[1]
        let more = max(0, required - units, inputs.step.minTasks - stepUnits)
        var eta: Int?
        if more > 0, let rate = inputs.candidateTaskRate, rate > 0 {
            eta = Int((Double(more) / rate).rounded(.up))
        }
        return SampleRequirement(
            requiredCandidateTasks: required, powerCalculationTasks: powerN, baselineFloor: floorN,
            baselineTasks: inputs.tasks[0],
            candidateTasks: inputs.tasks[1], moreCandidateTasksNeeded: more,
            estimatedSecondsRemaining: more == 0 ? 0 : eta,
            power: monitor.power)
    }
}

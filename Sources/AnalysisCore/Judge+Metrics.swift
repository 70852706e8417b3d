import Foundation
import Policy
import Statistics
import Vocabulary

/// The test of each kind of metric: a look's value per arm, its always-valid bounds and its status.
extension Judge {
    /// The sums of a metric the look has no data for: both arms empty (no ratio, so "no data").
    static let noSums = PerArm(baseline: ClusterSums(), candidate: ClusterSums())

    static func evaluate(_ metric: MetricPolicy, inputs: LookInputs, alpha: Double) -> MetricResult {
        switch metric.name {
        case "task_success_rate", "error_rate", "user_satisfaction", "judge_score":
            let design = SequentialDesign(metric, inputs: inputs)
            var result = difference(
                metric, inputs.ratios[metric.name] ?? Self.noSums, alpha: alpha, clustered: true, sequential: design)
            if design == nil, SequentialDesign.applies(metric, inputs: inputs) {
                result.method += " (\(outsideRunNote))"
            }
            return result
        case "cost_per_task", "tokens_per_task", "steps_per_task":
            return ratio(metric, inputs.ratios[metric.name] ?? Self.noSums, alpha: alpha, clustered: true)
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
            name: metric.name, role: metric.role, direction: metric.direction, status: .insufficient,
            baseline: ArmValue(value: nil, n: 0, conversations: nil),
            candidate: ArmValue(value: nil, n: 0, conversations: nil),
            difference: nil, ratio: nil, ciLow: nil, ciHigh: nil, margin: metric.margin, pValue: nil, alpha: alpha,
            method: method, note: note)
    }

    /// The status of a metric: regressed when the one-sided test of "the candidate is not worse" `rejected`
    /// it, non-inferior when the bound [low, high] on the good side lies within `limit` (the worst acceptable
    /// difference), else inconclusive.
    static func status(rejected: Bool, low: Double, high: Double, limit: Double, direction: MetricDirection)
        -> MetricStatus
    {
        if rejected { return .regressed }
        switch direction {
        case .higher: if low > limit { return .nonInferior }
        case .lower: if high < limit { return .nonInferior }
        }
        return .inconclusive
    }

    /// A rate or mean per task: the difference of two delta-method ratios, always-valid interval.
    static func difference(
        _ metric: MetricPolicy, _ sums: PerArm<ClusterSums>, alpha: Double, clustered: Bool,
        sequential: SequentialDesign? = nil
    ) -> MetricResult {
        let method =
            clustered
            ? "difference of ratio means, delta method over conversations, one-sided mSPRT bounds"
            : "difference of task-level rates, one-sided mSPRT bounds"
        guard let b = sums.baseline.ratio, let c = sums.candidate.ratio else {
            return empty(metric, alpha: alpha, method: method, note: "no data")
        }
        var result = empty(metric, alpha: alpha, method: method, note: nil)
        result.baseline = ArmValue(
            value: b, n: Int(sums.baseline.sumN), conversations: clustered ? sums.baseline.clusters : nil)
        result.candidate = ArmValue(
            value: c, n: Int(sums.candidate.sumN), conversations: clustered ? sums.candidate.clusters : nil)
        result.difference = c - b
        guard Int(sums.baseline.sumN) >= metric.minSample, Int(sums.candidate.sumN) >= metric.minSample,
            var vb = sums.baseline.ratioVariance, var vc = sums.candidate.ratioVariance
        else {
            result.note = "fewer than \(metric.minSample) tasks per arm"
            return result
        }
        // A rate of exactly 0 or 1 has no sample variance; use the variance of one event more (a continuity
        // floor) so that a perfect arm is not infinitely certain.
        vb = max(vb, TwoArmVariance.floor(b, n: sums.baseline.sumN))
        vc = max(vc, TwoArmVariance.floor(c, n: sums.candidate.sumN))
        let variance = vb + vc
        let tau2 = pow(max(metric.margin, 0.005), 2)
        let half = SequentialTests.oneSidedHalfWidth(variance: variance, tau2: tau2, scales: tauScales, alpha: alpha)
        let theta = c - b
        result.ciLow = theta - half
        result.ciHigh = theta + half
        let null = TwoArmVariance.rateTest(
            rate: (sums.baseline.sumY + sums.candidate.sumY) / (sums.baseline.sumN + sums.candidate.sumN),
            n: (sums.baseline.sumN, sums.candidate.sumN),
            pooled: TwoArmVariance.underNoDifference(sums.both, relative: false), own: variance)
        let pValue = harmPValue(theta, variance: null, tau2: tau2, direction: metric.direction)
        result.pValue = pValue
        let limit = metric.direction == .higher ? -metric.margin : metric.margin
        result.status = status(
            rejected: pValue <= alpha, low: theta - half, high: theta + half, limit: limit,
            direction: metric.direction)
        if let sequential, metric.margin > 0 {
            applySequential(sequential, to: &result, theta: theta, variance: variance, metric: metric, alpha: alpha)
        }
        return result
    }

    /// Non-inferiority by the group-sequential boundary instead of the mixture bound; a regression stays the
    /// always-valid test's. The interval reported is the repeated confidence bound at the look's boundary.
    static func applySequential(
        _ design: SequentialDesign, to result: inout MetricResult, theta: Double, variance: Double,
        metric: MetricPolicy, alpha: Double
    ) {
        let (theta, variance, adjustment) = design.adjusted(theta: theta, variance: variance)
        let se = variance.squareRoot()
        let statistic = metric.direction == .higher ? (theta + metric.margin) / se : (metric.margin - theta) / se
        result.method =
            "difference of ratio means, delta method over conversations; non-inferiority by Lan–DeMets "
            + "\(design.spending.rawValue) spending"
            + (adjustment.map { " post-stratified on \($0.covariate)" } ?? "") + ", harm by one-sided mSPRT"
        let look = sequentialLook(
            design, statistic: statistic, information: 1 / variance, margin: metric.margin, alpha: alpha)
        result.sequential = look.map {
            var look = $0
            look.adjustment = adjustment
            return look
        }
        if let boundary = look?.boundary {
            result.ciLow = theta - boundary * se
            result.ciHigh = theta + boundary * se
        }
        guard result.status != .regressed else { return }
        if design.shownBefore {
            result.status = .nonInferior
            result.note = "shown non-inferior at an earlier look (the group-sequential design stopped there)"
        } else if let look {
            if let boundary = look.boundary, statistic >= boundary {
                result.status = .nonInferior
            } else {
                result.status = .inconclusive
                if look.final, look.boundary == nil {
                    result.note = "the final analysis has passed without showing non-inferiority"
                }
            }
        } else {
            result.status = .inconclusive
            result.note =
                "not yet shown non-inferior; the next group-sequential look comes with "
                + "\(Int((designIncrement * 100).rounded())) % more of the planned information"
        }
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
    static func ratio(_ metric: MetricPolicy, _ sums: PerArm<ClusterSums>, alpha: Double, clustered: Bool)
        -> MetricResult
    {
        let method =
            clustered
            ? "log ratio of ratio means, delta method over conversations, one-sided mSPRT bounds"
            : "log ratio of task-level means, one-sided mSPRT bounds"
        guard let b = sums.baseline.ratio, let c = sums.candidate.ratio else {
            return empty(metric, alpha: alpha, method: method, note: "no data")
        }
        var result = empty(metric, alpha: alpha, method: method, note: nil)
        result.baseline = ArmValue(
            value: b, n: Int(sums.baseline.sumN), conversations: clustered ? sums.baseline.clusters : nil)
        result.candidate = ArmValue(
            value: c, n: Int(sums.candidate.sumN), conversations: clustered ? sums.candidate.clusters : nil)
        guard b > 0, c > 0 else {
            result.note = "a mean of zero has no ratio"
            return result
        }
        result.ratio = c / b
        guard Int(sums.baseline.sumN) >= metric.minSample, Int(sums.candidate.sumN) >= metric.minSample,
            let vb = sums.baseline.ratioVariance, let vc = sums.candidate.ratioVariance
        else {
            result.note = "fewer than \(metric.minSample) tasks per arm"
            return result
        }
        let variance = vb / (b * b) + vc / (c * c)
        guard variance > 0 else {
            // Every task of both arms had the same value (one step each, say): no interval to draw.
            result.note = "no variation in either arm"
            return result
        }
        let tau2 = pow(log1p(max(metric.margin, 0.01)), 2)
        let theta = log(c / b)
        let half = SequentialTests.oneSidedHalfWidth(variance: variance, tau2: tau2, scales: tauScales, alpha: alpha)
        result.ciLow = exp(theta - half)
        result.ciHigh = exp(theta + half)
        let pValue = harmPValue(
            theta, variance: TwoArmVariance.underNoDifference(sums.both, relative: true) ?? variance, tau2: tau2,
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
            result.status = .regressed
        } else if interval.high.isFinite, interval.high <= 1 + metric.margin {
            result.status = .nonInferior
        } else {
            result.status = total == 0 ? .nonInferior : .inconclusive
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
            result.status = .regressed
        } else if theta + half < tail, practical <= 1 + metric.margin {
            result.status = .nonInferior
        } else {
            result.status = .inconclusive
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
            result.status = .regressed
        } else if distance < metric.margin {
            result.status = .nonInferior
        } else {
            result.status = .inconclusive
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
            result.status = .regressed
        } else if rate - half >= 1 - metric.margin {
            result.status = .nonInferior
        } else {
            result.status = .inconclusive
        }
        return result
    }

    /// A Prometheus metric: one value per arm, no sample; judged on the margin alone.
    static func evaluatePrometheus(_ metric: MetricPolicy, values: PerArm<Double?>?, alpha: Double) -> MetricResult {
        let method = "Prometheus query per arm; relative margin, no sampling error available"
        guard let values, let b = values.baseline, let c = values.candidate else {
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
        result.status = worse ? .regressed : .nonInferior
        return result
    }
}

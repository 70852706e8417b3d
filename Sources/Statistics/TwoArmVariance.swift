import Foundation

/// The variances of a two-arm comparison of ratio means (``ClusterSums`` of the baseline, then the candidate)
/// that the monitor's sequential tests use.
package enum TwoArmVariance {
    /// The variance the rollback test of a rate (task-level `rate` pooled over both arms of `n` tasks) uses:
    /// under no difference — `pooled` (the arms' conversations pooled, when clustered) and at least the
    /// binomial variance of the pooled rate — while the normal approximation holds, else each arm's `own`.
    package static func rateTest(rate: Double, n: (Double, Double), pooled: Double?, own: Double) -> Double {
        guard normalApproximationHolds(rate: rate, n: min(n.0, n.1)) else { return own }
        let binomial = floor(rate, n: n.0) + floor(rate, n: n.1)
        return max(pooled ?? binomial, binomial)
    }

    /// Whether a rate's estimate over `n` tasks is close enough to normal for the variance under no difference:
    /// at least 5 expected events and 5 expected non-events (the usual rule for the normal approximation of a
    /// binomial). Below it, a rare event's skewed count would make that variance too small, and each arm's own
    /// variance, larger where the rate is higher, is used instead.
    package static func normalApproximationHolds(rate: Double, n: Double) -> Bool {
        n * rate >= 5 && n * (1 - rate) >= 5
    }

    /// The variance of the difference (or, `relative`, of the log ratio) of the two arms' ratio means when the
    /// arms do not differ: both arms' conversations pooled into one per-conversation variance, scaled by each
    /// arm's number of conversations. The rollback test uses it (the score test's choice: the variance the
    /// estimate has under the hypothesis being tested), the bounds use each arm's own variance.
    package static func underNoDifference(_ sums: [ClusterSums], relative: Bool) -> Double? {
        guard sums.count == 2, sums[0].clusters > 0, sums[1].clusters > 0 else { return nil }
        var pooled = sums[0]
        pooled.merge(sums[1])
        guard var unit = pooled.ratioVariance.map({ $0 * Double(pooled.clusters) }), let mean = pooled.ratio else {
            return nil
        }
        if relative {
            guard mean > 0 else { return nil }
            unit /= mean * mean
        }
        return unit * (1 / Double(sums[0].clusters) + 1 / Double(sums[1].clusters))
    }

    /// The binomial variance of a rate over `n` tasks, with the rate kept one event inside 0 and 1 (a continuity
    /// floor), so that an arm with no events, or only events, is not infinitely certain; 0 for a mean above 1.
    package static func floor(_ rate: Double, n: Double) -> Double {
        let p = min(max(rate, 1 / (n + 2)), 1 - 1 / (n + 2))
        return rate <= 1 ? p * (1 - p) / n : 0
    }
}

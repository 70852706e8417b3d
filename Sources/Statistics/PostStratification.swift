/// The difference of two proportions post-stratified on a covariate known before each outcome (the task's
/// category): the strata's differences weighted by their pooled shares, Σ w_k (p̂_ck − p̂_bk), with the variance
/// Σ w_k² (p̂_ck(1 − p̂_ck)/n_ck + p̂_bk(1 − p̂_bk)/n_bk). It is Lin's (2013) interacted regression on the strata's
/// indicators, and this variance is that regression's HC0 sandwich (``RegressionAdjustment`` is the same estimate
/// checked against statsmodels). Under randomization it is never less efficient asymptotically than the plain
/// difference, and more efficient by the share of the outcome's variance the strata explain (Miratrix, Sekhon
/// and Yu, 2013).
package enum PostStratification {
    /// One arm's successes and tasks in one stratum.
    package struct Cell: Equatable, Sendable {
        package var successes: Double
        package var tasks: Double

        /// Makes a cell.
        package init(successes: Double, tasks: Double) {
            self.successes = successes
            self.tasks = tasks
        }

        var rate: Double { successes / tasks }
        /// The variance of the cell's rate (p̂(1 − p̂)/n).
        var variance: Double { rate * (1 - rate) / tasks }
    }

    /// One stratum's cells.
    package struct Stratum: Equatable, Sendable {
        package var baseline: Cell
        package var candidate: Cell

        /// Makes a stratum.
        package init(baseline: Cell, candidate: Cell) {
            self.baseline = baseline
            self.candidate = candidate
        }

        var usable: Bool { baseline.tasks >= 2 && candidate.tasks >= 2 }
    }

    /// The adjusted difference (candidate − baseline), its variance, and the plain difference's variance
    /// computed the same way (task by task), whose ratio is the variance the strata removed.
    package struct Estimate: Equatable, Sendable {
        package var difference: Double
        package var variance: Double
        package var unadjustedDifference: Double
        package var unadjustedVariance: Double
        /// The strata used, after the sparse ones were pooled.
        package var strata: Int

        /// 1 − adjusted variance / plain variance.
        package var varianceReduction: Double { unadjustedVariance > 0 ? 1 - variance / unadjustedVariance : 0 }
    }

    /// The estimate over `strata`. Strata with fewer than two tasks in an arm are pooled into one, and that one
    /// into the largest stratum when it is still sparse (no task is left out); `nil` when fewer than two strata
    /// remain (nothing to adjust for) or the adjusted variance is 0.
    package static func estimate(_ strata: [Stratum]) -> Estimate? {
        func merged(_ a: Stratum, _ b: Stratum) -> Stratum {
            Stratum(
                baseline: Cell(
                    successes: a.baseline.successes + b.baseline.successes, tasks: a.baseline.tasks + b.baseline.tasks),
                candidate: Cell(
                    successes: a.candidate.successes + b.candidate.successes,
                    tasks: a.candidate.tasks + b.candidate.tasks))
        }
        var kept = strata.filter(\.usable)
        let sparse = strata.filter { !$0.usable }
        if let first = sparse.first {
            let pooled = sparse.dropFirst().reduce(first, merged)
            if pooled.usable {
                kept.append(pooled)
            } else if let largest = kept.indices.max(by: {
                kept[$0].baseline.tasks + kept[$0].candidate.tasks < kept[$1].baseline.tasks + kept[$1].candidate.tasks
            }) {
                kept[largest] = merged(kept[largest], pooled)
            }
        }
        guard kept.count >= 2 else { return nil }
        let total = kept.reduce(0) { $0 + $1.baseline.tasks + $1.candidate.tasks }
        var difference = 0.0
        var variance = 0.0
        var baseline = Cell(successes: 0, tasks: 0)
        var candidate = Cell(successes: 0, tasks: 0)
        for stratum in kept {
            let weight = (stratum.baseline.tasks + stratum.candidate.tasks) / total
            difference += weight * (stratum.candidate.rate - stratum.baseline.rate)
            variance += weight * weight * (stratum.candidate.variance + stratum.baseline.variance)
            baseline.successes += stratum.baseline.successes
            baseline.tasks += stratum.baseline.tasks
            candidate.successes += stratum.candidate.successes
            candidate.tasks += stratum.candidate.tasks
        }
        let unadjusted = candidate.variance + baseline.variance
        guard unadjusted > 0, variance > 0 else { return nil }
        return Estimate(
            difference: difference, variance: variance, unadjustedDifference: candidate.rate - baseline.rate,
            unadjustedVariance: unadjusted, strata: kept.count)
    }
}

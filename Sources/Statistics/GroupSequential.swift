import Foundation
import Synchronization

/// Group-sequential boundaries by error spending (Lan and DeMets 1983): a one-sided upper boundary for a
/// standardized statistic looked at several times, at information fractions known only when each look is taken.
///
/// Under the null hypothesis the statistics of the looks are those of a Brownian motion observed at the
/// information fractions t₁ < t₂ < …: `Zₖ = S(tₖ) / √tₖ` with `S(t) ~ N(0, t)` and independent increments. The
/// boundary of look k is the `cₖ` at which the probability of first crossing at look k is the α the spending
/// function releases between `tₖ₋₁` and `tₖ`. Computed by the recursive numerical integration of Armitage,
/// McPherson and Rowe (1969) as Jennison and Turnbull (2000, chapter 19) lay it out, with Simpson's rule on a
/// grid of the score `S` (checked against R `rpact`'s `getDesignGroupSequential`).
///
/// Looks past the planned information (`t > 1`) spend nothing more: the look at which the information first
/// reaches the plan spends what is left (the final analysis), and any later look has an infinite boundary.
package enum GroupSequential {
    /// How the one-sided α is spent over the information fraction.
    package enum Spending: String, Codable, Sendable, CaseIterable {
        /// Lan–DeMets O'Brien–Fleming type: `α(t) = 2 − 2Φ(z₁₋α/₂ / √t)`: almost nothing early, nearly the
        /// fixed-horizon boundary at the end.
        case obrienFleming = "obrien-fleming"
        /// Lan–DeMets Pocock type: `α(t) = α ln(1 + (e − 1)t)`: evenly over the looks.
        case pocock

        /// The cumulative α spent by information fraction `t` (0 at 0, `alpha` from 1 on).
        package func spent(_ t: Double, alpha: Double) -> Double {
            guard t > 0 else { return 0 }
            let t = min(t, 1)
            switch self {
            case .obrienFleming:
                return 2 - 2 * Distributions.normalCDF(Distributions.normalQuantile(1 - alpha / 2) / t.squareRoot())
            case .pocock:
                return alpha * log(1 + (M_E - 1) * t)
            }
        }
    }

    /// The boundaries of looks at the increasing information `fractions`, one-sided level `alpha`: `cₖ` such
    /// that `P(Z₁ < c₁, …, Zₖ₋₁ < cₖ₋₁, Zₖ ≥ cₖ) = α(tₖ) − α(tₖ₋₁)` under the null. A look that spends nothing
    /// (past the plan) has `+∞`.
    package static func boundaries(fractions: [Double], alpha: Double, spending: Spending) -> [Double] {
        var state = Progress()
        return fractions.map { state.next(fraction: $0, alpha: alpha, spending: spending) }
    }

    /// The same boundaries, remembering the walk of each sequence of looks so that the next look of a run (its
    /// looks so far and one more) costs one step of the recursion, not one per look: a monitor looking every
    /// minute asks for ever longer sequences. Equal to ``boundaries(fractions:alpha:spending:)``.
    package static func cachedBoundaries(fractions: [Double], alpha: Double, spending: Spending) -> [Double] {
        guard let last = fractions.last else { return [] }
        let key = CacheKey(fractions: Array(fractions.dropLast()), alpha: alpha, spending: spending)
        var state: Progress
        if let known = walks.withLock({ $0[key] }) {
            state = known
            _ = state.next(fraction: last, alpha: alpha, spending: spending)
        } else {
            state = Progress()
            for t in fractions { _ = state.next(fraction: t, alpha: alpha, spending: spending) }
        }
        remember(state, fractions: fractions, alpha: alpha, spending: spending)
        return state.boundaries
    }

    static func remember(_ state: Progress, fractions: [Double], alpha: Double, spending: Spending) {
        walks.withLock { cache in
            if cache.count >= 1024 { cache.removeAll(keepingCapacity: true) }
            cache[CacheKey(fractions: fractions, alpha: alpha, spending: spending)] = state
        }
    }

    struct CacheKey: Hashable {
        var fractions: [Double]
        var alpha: Double
        var spending: Spending
    }

    static let walks = Mutex<[CacheKey: Progress]>([:])

    /// The spending so far and the walk over the looks so far.
    struct Progress: Sendable {
        var walk = BoundaryWalk()
        var spent = 0.0
        var boundaries: [Double] = []

        mutating func next(fraction t: Double, alpha: Double, spending: Spending) -> Double {
            let total = spending.spent(t, alpha: alpha)
            let increment = max(0, total - spent)
            spent = max(spent, total)
            let boundary = walk.next(fraction: t, crossing: increment)
            boundaries.append(boundary)
            return boundary
        }
    }

    /// The probability that the statistic first crosses at each look, for boundaries `boundaries` at `fractions`,
    /// when the score drifts by `drift` per unit of information fraction (`S(t) ~ N(drift · t, t)`; 0 is the null).
    package static func crossingProbabilities(fractions: [Double], boundaries: [Double], drift: Double) -> [Double] {
        var walk = BoundaryWalk(drift: drift)
        return zip(fractions, boundaries).map { t, c in walk.cross(fraction: t, boundary: c) }
    }

    /// The maximum information a design needs over the fixed-horizon one for the same power (its inflation
    /// factor, `I_max / I_fixed`): with looks at `fractions`, the drift whose total crossing probability is
    /// `1 − beta`, squared, over `(z₁₋α + z₁₋β)²`.
    package static func inflation(fractions: [Double], alpha: Double, beta: Double, spending: Spending) -> Double {
        let boundaries = boundaries(fractions: fractions, alpha: alpha, spending: spending)
        let fixed = Distributions.normalQuantile(1 - alpha) + Distributions.normalQuantile(1 - beta)
        var low = 0.0
        var high = 3 * fixed
        for _ in 0..<100 {
            let middle = (low + high) / 2
            let power = crossingProbabilities(fractions: fractions, boundaries: boundaries, drift: middle)
                .reduce(0, +)
            if power < 1 - beta { low = middle } else { high = middle }
            if high - low < 1e-10 { break }
        }
        let drift = (low + high) / 2
        return drift * drift / (fixed * fixed)
    }

    /// The recursion over the looks: the sub-density of the score `S(tₖ)` on the paths that have not crossed,
    /// on a grid; before the first look, all the mass sits at 0.
    struct BoundaryWalk: Sendable {
        /// Grid points per standard deviation of the increment: 20 keeps the boundaries within 1e-7 of 40.
        static let pointsPerSD = 20.0
        /// The grid reaches this many standard deviations below the mean; the mass left out is below 1e-15.
        static let reach = 8.0

        /// The score's drift per unit of information fraction.
        var drift = 0.0
        var fraction = 0.0
        /// Grid points of `S(tₖ)` and the sub-density there (already times Simpson's weights).
        var points: [Double] = [0]
        var weighted: [Double] = [1]

        /// The boundary (on the Z scale) of a look at `t` that crosses with probability `crossing`, and the
        /// walk moved on to it.
        mutating func next(fraction t: Double, crossing: Double) -> Double {
            let delta = t - fraction
            guard delta > 0 else { return .infinity }
            let boundary = crossing <= 0 ? .infinity : solve(crossing: crossing, delta: delta, t: t)
            advance(to: t, boundaryScore: boundary * t.squareRoot())
            return boundary
        }

        /// The probability of first crossing `boundary` (Z scale) at a look at `t`, and the walk moved on to it.
        mutating func cross(fraction t: Double, boundary: Double) -> Double {
            let delta = t - fraction
            guard delta > 0, boundary.isFinite else { return 0 }
            let score = boundary * t.squareRoot()
            let probability = crossingProbability(score: score, delta: delta)
            advance(to: t, boundaryScore: score)
            return probability
        }

        /// The probability of crossing `b` (on the S scale) at a look `delta` later, from the current sub-density.
        func crossingProbability(score b: Double, delta: Double) -> Double {
            let sd = delta.squareRoot()
            let shift = drift * delta
            // Points more than `kernelReach` SDs below b cross with probability under 1e-19: skip them (the
            // points ascend).
            var index = Self.firstIndex(in: points, atLeast: b - shift - Self.kernelReach * sd)
            var total = 0.0
            while index < points.count {
                total += weighted[index] * (1 - Distributions.normalCDF((b - points[index] - shift) / sd))
                index += 1
            }
            return total
        }

        /// How far (in SDs of the increment) the normal kernel is summed: beyond it the density is below 1e-19.
        static let kernelReach = 9.0

        /// The first index of ascending `values` at or above `bound`.
        static func firstIndex(in values: [Double], atLeast bound: Double) -> Int {
            var low = 0
            var high = values.count
            while low < high {
                let middle = (low + high) / 2
                if values[middle] < bound { low = middle + 1 } else { high = middle }
            }
            return low
        }

        /// The Z boundary whose crossing probability is `crossing`, by bisection on the S scale.
        func solve(crossing: Double, delta: Double, t: Double) -> Double {
            var low = -10.0 * t.squareRoot()
            var high = 40.0 * t.squareRoot()
            for _ in 0..<200 {
                let middle = (low + high) / 2
                if crossingProbability(score: middle, delta: delta) > crossing { low = middle } else { high = middle }
                if high - low < 1e-12 { break }
            }
            return (low + high) / 2 / t.squareRoot()
        }

        /// The sub-density of `S(t)` on the paths below `b` (S scale) at every look so far.
        mutating func advance(to t: Double, boundaryScore b: Double) {
            let delta = t - fraction
            let sd = delta.squareRoot()
            let shift = drift * delta
            let center = drift * t
            let top = b.isFinite ? b : center + Self.reach * t.squareRoot()
            let bottom = center - Self.reach * t.squareRoot()
            fraction = t
            guard top > bottom else {
                (points, weighted) = ([0], [0])
                return
            }
            // An odd number of points, spaced at most 1/pointsPerSD of the increment's SD (and of S's own SD).
            let step = min(sd, t.squareRoot()) / Self.pointsPerSD
            var intervals = Int(((top - bottom) / step).rounded(.up))
            if intervals % 2 == 1 { intervals += 1 }
            let h = (top - bottom) / Double(intervals)
            var newPoints: [Double] = []
            var newWeighted: [Double] = []
            newPoints.reserveCapacity(intervals + 1)
            newWeighted.reserveCapacity(intervals + 1)
            // The old points within `kernelReach` SDs of each new point: a window that moves up with it.
            var first = 0
            var end = 0
            let reach = Self.kernelReach * sd
            for index in 0...intervals {
                let s = bottom + Double(index) * h
                let simpson = (index == 0 || index == intervals) ? 1.0 : (index % 2 == 1 ? 4.0 : 2.0)
                while first < points.count, points[first] + shift < s - reach { first += 1 }
                end = max(end, first)
                while end < points.count, points[end] + shift <= s + reach { end += 1 }
                var sum = 0.0
                for old in first..<end {
                    sum += weighted[old] * Self.normalDensity((s - points[old] - shift) / sd)
                }
                newPoints.append(s)
                newWeighted.append(sum / sd * simpson * h / 3)
            }
            points = newPoints
            weighted = newWeighted
        }

        static func normalDensity(_ x: Double) -> Double {
            exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
        }
    }
}

import Foundation

/// Always-valid inference for a difference between two arms, valid however often it is looked at: the
/// mixture sequential probability ratio test (mSPRT) of Johari, Koomen, Pekelis and Walsh, "Always Valid
/// Inference: Continuous Monitoring of A/B Tests" (Operations Research, 2022), in its one-sided form, and a
/// Beta-mixture test for rare events.
package enum SequentialTests {}

extension SequentialTests {
    /// The one-sided mixture likelihood ratio Λ⁺ of `estimate` against `null`, for a shift in the positive
    /// direction only: the normal likelihood ratio mixed over a half-normal prior (θ − θ₀ ~ |N(0, τ²)|),
    ///
    ///     Λ⁺ = 2 √(V / (V + τ²)) · exp(τ² x² / (2 V (V + τ²))) · Φ(x τ / √(V (V + τ²))),   x = θ̂ − θ₀.
    ///
    /// Each likelihood ratio in the mixture is a martingale when θ = θ₀ and a supermartingale when θ < θ₀,
    /// so Λ⁺ ≥ 1/α rejects "θ ≤ θ₀" with probability at most α over every look (Ville's inequality; the
    /// one-sided normal mixture of Howard, Ramdas, McAuliffe, Sekhon, "Time-uniform, nonparametric,
    /// nonasymptotic confidence sequences", Ann. Statist. 49(2), 2021, section 3). Where the harm has one
    /// direction this spends all of α on it, where the two-sided mixture spends half on the other side.
    package static func oneSidedMixtureLikelihoodRatio(
        estimate: Double, variance: Double, tau2: Double, null: Double = 0
    ) -> Double {
        guard variance > 0, tau2 > 0 else { return 1 }
        let x = estimate - null
        let spread = variance * (variance + tau2)
        let logRatio =
            log(2) + 0.5 * log(variance / (variance + tau2)) + tau2 * x * x / (2 * spread)
            + log(Distributions.normalCDF(x * tau2.squareRoot() / spread.squareRoot()))
        return exp(min(700, logRatio))
    }

    /// Λ⁺ averaged over mixing variances τ² · s for each scale s in `scales`: a mixture of martingales is one,
    /// so the test stays valid, and a few scales make it quick on large shifts (a wide τ) without losing much
    /// on small ones (a narrow τ), for the price of log(count) in the boundary.
    package static func oneSidedMixtureLikelihoodRatio(
        estimate: Double, variance: Double, tau2: Double, scales: [Double], null: Double = 0
    ) -> Double {
        guard !scales.isEmpty else { return 1 }
        return scales.reduce(0) {
            $0 + oneSidedMixtureLikelihoodRatio(estimate: estimate, variance: variance, tau2: tau2 * $1, null: null)
        } / Double(scales.count)
    }

    /// The one-sided always-valid p-value of one look for a shift above `null`: min(1, 1/Λ⁺).
    package static func oneSidedPValue(
        estimate: Double, variance: Double, tau2: Double, scales: [Double] = [1], null: Double = 0
    ) -> Double {
        min(
            1,
            1
                / oneSidedMixtureLikelihoodRatio(
                    estimate: estimate, variance: variance, tau2: tau2, scales: scales, null: null))
    }

    /// The distance h from the estimate to each bound of the one-sided confidence sequences at level α: the
    /// shift at which Λ⁺ reaches 1/α. θ ≥ θ̂ − h and θ ≤ θ̂ + h each hold at every look with probability at
    /// least 1 − α (together 1 − 2α), so a bound beyond θ₀ is exactly a one-sided rejection of θ₀ at α.
    package static func oneSidedHalfWidth(variance: Double, tau2: Double, scales: [Double] = [1], alpha: Double)
        -> Double
    {
        guard variance > 0, tau2 > 0, alpha > 0, alpha < 1 else { return .infinity }
        func ratio(_ h: Double) -> Double {
            oneSidedMixtureLikelihoodRatio(estimate: h, variance: variance, tau2: tau2, scales: scales)
        }
        // Λ⁺ rises with the shift: double until it reaches 1/α, then bisect.
        var low = 0.0
        var high = max(variance.squareRoot(), 1e-12)
        while ratio(high) < 1 / alpha, high < 1e12 { high *= 2 }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if ratio(middle) >= 1 / alpha { high = middle } else { low = middle }
            if high - low <= 1e-12 * high { break }
        }
        return high
    }
}

extension SequentialTests {
    /// The mixture likelihood ratio of a conditional binomial test for rare events.
    ///
    /// Of `k` rare events (rogue actions) in two arms, `candidate` fell on the candidate, whose share of
    /// the exposure is `share`. Under equal rates each event falls on the candidate with probability
    /// `share`; mixing the alternative share q over a uniform prior gives the Bayes factor
    ///
    ///     Λ = B(k_c + 1, k_b + 1) / (share^k_c (1 − share)^k_b),
    ///
    /// a nonnegative martingale under the null in the number of events, so by Ville's inequality
    /// rejecting when Λ ≥ 1/α keeps the chance of a false rejection over all looks at most α (Robbins,
    /// "Statistical methods related to the law of the iterated logarithm", 1970; Howard et al., "Time-uniform,
    /// nonparametric, nonasymptotic confidence sequences", Ann. Statist. 2021).
    package static func conditionalBinomialMixtureRatio(candidate: Int, baseline: Int, share: Double) -> Double {
        guard share > 0, share < 1, candidate + baseline > 0 else { return 1 }
        let logLambda =
            Distributions.logBeta(Double(candidate) + 1, Double(baseline) + 1) - Double(candidate) * log(share)
            - Double(baseline) * log1p(-share)
        return exp(min(700, logLambda))
    }

    /// The confidence sequence for the rate ratio ρ (candidate rate / baseline rate) of a rare event: every
    /// ρ whose implied candidate share ρ·e_c / (ρ·e_c + e_b) is not rejected at level α, where e_c and e_b
    /// are the arms' exposures (tasks). Returns (low, high); `high` is `.infinity` when no baseline event
    /// bounds it.
    package static func rareRateRatioInterval(
        candidate: Int, baseline: Int, candidateExposure: Double, baselineExposure: Double, alpha: Double
    ) -> (low: Double, high: Double) {
        guard candidateExposure > 0, baselineExposure > 0 else { return (0, .infinity) }
        func rejected(_ logRho: Double) -> Bool {
            let rho = exp(logRho)
            let share = rho * candidateExposure / (rho * candidateExposure + baselineExposure)
            return conditionalBinomialMixtureRatio(candidate: candidate, baseline: baseline, share: share) >= 1 / alpha
        }
        // The least-rejected point: the observed ratio, kept inside the finite search range.
        let observed = log(
            (Double(candidate) + 0.5) / candidateExposure / ((Double(baseline) + 0.5) / baselineExposure))
        let limit = 30.0
        func boundary(towards end: Double) -> Double {
            guard rejected(end) else { return end }
            var inside = observed
            var outside = end
            if rejected(inside) { return observed }
            for _ in 0..<80 {
                let middle = (inside + outside) / 2
                if rejected(middle) { outside = middle } else { inside = middle }
            }
            return inside
        }
        let low = boundary(towards: -limit)
        let high = boundary(towards: limit)
        return (low <= -limit ? 0 : exp(low), high >= limit ? .infinity : exp(high))
    }
}

import Foundation

/// Always-valid inference for a difference between two arms, valid however often it is looked at.
///
/// The mixture sequential probability ratio test (mSPRT) of Johari, Koomen, Pekelis and Walsh, "Always
/// Valid Inference: Continuous Monitoring of A/B Tests" (Operations Research, 2022), with a normal mixing
/// distribution N(θ₀, τ²) over the difference θ and an asymptotically normal estimate θ̂ with variance V:
///
///     Λ = √(V / (V + τ²)) · exp(τ² (θ̂ − θ₀)² / (2 V (V + τ²)))
///
/// Rejecting θ = θ₀ when Λ ≥ 1/α keeps the chance of ever rejecting a true θ₀ at most α over any number of
/// looks; inverting the test gives a confidence sequence for θ.
package enum SequentialTests {
    /// The mixture likelihood ratio Λ of `estimate` against `null`.
    package static func mixtureLikelihoodRatio(estimate: Double, variance: Double, tau2: Double, null: Double = 0)
        -> Double
    {
        guard variance > 0, tau2 > 0 else { return 1 }
        let shift = estimate - null
        return (variance / (variance + tau2)).squareRoot()
            * exp(tau2 * shift * shift / (2 * variance * (variance + tau2)))
    }

    /// The always-valid p-value of one look: min(1, 1/Λ). Over several looks, keep the running minimum.
    package static func alwaysValidPValue(estimate: Double, variance: Double, tau2: Double, null: Double = 0)
        -> Double
    {
        min(1, 1 / mixtureLikelihoodRatio(estimate: estimate, variance: variance, tau2: tau2, null: null))
    }

    /// The half-width of the (1 − α) confidence sequence around `estimate`: every θ with Λ(θ) < 1/α.
    package static func confidenceSequenceHalfWidth(variance: Double, tau2: Double, alpha: Double) -> Double {
        guard variance > 0, tau2 > 0 else { return .infinity }
        let boundary = log(1 / alpha) + 0.5 * log((variance + tau2) / variance)
        return (2 * variance * (variance + tau2) / tau2 * boundary).squareRoot()
    }
}

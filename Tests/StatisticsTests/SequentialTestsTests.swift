import Foundation
import Statistics
import Testing

@Suite("Always-valid sequential tests")
struct SequentialTestsTests {
    /// A/A canaries (identical success rates), each looked at 10 times as it grows: the one-sided always-valid
    /// test for a drop of the candidate rejects at most α of them (plus Monte Carlo error), while a one-sided
    /// fixed-horizon z-test repeated at every look rejects far more. Seeded, so the figures are exact for this seed.
    @Test("ten looks do not inflate the false-rejection rate")
    func repeatedLooks() {
        var generator = SeededGenerator(seed: 2024)
        let canaries = 400
        let alpha = 0.05
        var sequentialRejections = 0
        var naiveRejections = 0
        for _ in 0..<canaries {
            var successes = (0, 0)
            var trials = 0
            var sequential = false
            var naive = false
            for _ in 1...10 {
                for _ in 0..<150 {
                    if generator.nextUnit() < 0.8 { successes.0 += 1 }
                    if generator.nextUnit() < 0.8 { successes.1 += 1 }
                }
                trials += 150
                let p0 = Double(successes.0) / Double(trials)
                let p1 = Double(successes.1) / Double(trials)
                let variance = (p0 * (1 - p0) + p1 * (1 - p1)) / Double(trials)
                let estimate = p1 - p0
                if SequentialTests.oneSidedPValue(estimate: -estimate, variance: variance, tau2: 0.0025) <= alpha {
                    sequential = true
                }
                if -estimate / variance.squareRoot() > 1.644854 { naive = true }
            }
            if sequential { sequentialRejections += 1 }
            if naive { naiveRejections += 1 }
        }
        let monteCarloError = 2 * (alpha * (1 - alpha) / Double(canaries)).squareRoot()
        #expect(Double(sequentialRejections) / Double(canaries) <= alpha + monteCarloError)
        #expect(Double(naiveRejections) / Double(canaries) > 2 * alpha)
    }

    /// Reference: Λ⁺ integrated numerically with SciPy 1.17.1, independently of the closed form:
    /// `quad(lambda t: 2 * norm.pdf(t, 0, sqrt(tau2)) * exp((t * x - t * t / 2) / V), 0, inf)`.
    @Test(
        "one-sided mixture likelihood ratio",
        arguments: [
            (0.02, 0.0001, 0.0009, 3.7155968436552564), (-0.01, 0.0001, 0.0009, 0.17000048456460187),
            (0.05, 0.0004, 0.0025, 10.874514932445038),
        ])
    func oneSidedLikelihoodRatio(estimate: Double, variance: Double, tau2: Double, expected: Double) {
        let value = SequentialTests.oneSidedMixtureLikelihoodRatio(estimate: estimate, variance: variance, tau2: tau2)
        #expect(abs(value - expected) <= 1e-9 * expected)
    }

    /// Reference: SciPy 1.17.1 `brentq` on the integral above equal to 1/α.
    @Test(
        "one-sided bound",
        arguments: [(0.0001, 0.0009, 0.025, 0.0303644939041338), (0.0004, 0.0025, 0.05, 0.0553239292729701)])
    func oneSidedBound(variance: Double, tau2: Double, alpha: Double, expected: Double) {
        let half = SequentialTests.oneSidedHalfWidth(variance: variance, tau2: tau2, alpha: alpha)
        #expect(abs(half - expected) <= 1e-9 * expected)
        // Wider than the fixed-horizon one-sided bound (z₁₋α √V): the price of looking any number of times.
        #expect(half > Distributions.normalQuantile(1 - alpha) * variance.squareRoot())
    }

    /// Gaussian random walks with no drift, looked at after every one of 2,000 steps: the one-sided test
    /// rejects at most α of them, and walks drifting the other way (the candidate better) fewer still.
    @Test("the one-sided test keeps α under continuous looks")
    func oneSidedRepeatedLooks() {
        var generator = SeededGenerator(seed: 77)
        func normal() -> Double {
            let u = max(generator.nextUnit(), 1e-12)
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * generator.nextUnit())
        }
        let walks = 2000
        let alpha = 0.05
        var rejections = [0, 0]
        for drift in [0.0, -0.05].indices {
            for _ in 0..<walks {
                var sum = 0.0
                for n in 1...2000 {
                    sum += normal() + [0.0, -0.05][drift]
                    let estimate = sum / Double(n)
                    if SequentialTests.oneSidedPValue(estimate: estimate, variance: 1 / Double(n), tau2: 0.01) <= alpha
                    {
                        rejections[drift] += 1
                        break
                    }
                }
            }
        }
        let monteCarloError = 2 * (alpha * (1 - alpha) / Double(walks)).squareRoot()
        #expect(Double(rejections[0]) / Double(walks) <= alpha + monteCarloError)
        #expect(Double(rejections[0]) / Double(walks) > alpha / 4)
        #expect(rejections[1] < rejections[0])
    }
}

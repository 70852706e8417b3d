import Foundation
import Statistics
import Testing

/// Every test statistic the monitor uses, against reference values computed with SciPy 1.17.1 and NumPy
/// (the Python expression is given with each value).
@Suite("Monitor statistics against SciPy")
struct AnalysisStatisticsTests {
    /// `scipy.stats.norm.ppf(p)`.
    @Test(
        "normal quantile",
        arguments: [(0.975, 1.959963984540054), (0.9, 1.2815515655446004), (0.001, -3.090232306167813)])
    func normalQuantile(p: Double, expected: Double) {
        #expect(abs(Distributions.normalQuantile(p) - expected) < 1e-12)
    }

    /// `scipy.stats.norm.cdf(-1.5)`.
    @Test("normal CDF")
    func normalCDF() {
        #expect(abs(Distributions.normalCDF(-1.5) - 0.06680720126885807) < 1e-15)
    }

    /// `scipy.stats.chi2.sf(x, df)`.
    @Test(
        "chi-square survival",
        arguments: [
            (3.84, 1, 0.05004352124870519), (10.0, 5, 0.07523524614651217), (100.0, 80, 0.064570368921133),
            (0.5, 3, 0.9188914116546758),
        ])
    func chiSquare(x: Double, df: Int, expected: Double) {
        #expect(abs(Distributions.chiSquareSurvival(x, degreesOfFreedom: df) - expected) < 1e-12)
    }

    /// `scipy.special.gammaincc(s, x)`.
    @Test(
        "regularized upper incomplete gamma",
        arguments: [(2.5, 3.7, 0.1925504330793957), (10.0, 2.0, 0.9999535019249828)])
    func gamma(s: Double, x: Double, expected: Double) {
        #expect(abs(Distributions.regularizedUpperGamma(s, x) - expected) < 1e-13)
    }

    /// `scipy.special.betaln(a, b)`.
    @Test("log beta", arguments: [(6.0, 1.0, -1.791759469228055), (3.5, 7.25, -6.266313171974905)])
    func logBeta(a: Double, b: Double, expected: Double) {
        #expect(abs(Distributions.logBeta(a, b) - expected) < 1e-12)
    }

    /// `scipy.spatial.distance.jensenshannon(p, q, base=2)`.
    @Test("Jensen-Shannon distance")
    func jensenShannon() {
        #expect(
            abs(DistributionComparison.jensenShannonDistance([10, 20, 30], [30, 20, 10]) - 0.35470351519813204) < 1e-12)
        #expect(abs(DistributionComparison.jensenShannonDistance([5, 0, 5], [0, 5, 5]) - 0.7071067811865476) < 1e-12)
    }

    /// `scipy.stats.chi2_contingency([[10,20,30],[30,20,10]], correction=False)` → (20.0, 4.539992976248486e-05, 2).
    @Test("chi-square test of homogeneity")
    func contingency() {
        let test = DistributionComparison.chiSquareHomogeneity([10, 20, 30], [30, 20, 10])
        #expect(abs(test.statistic - 20) < 1e-12)
        #expect(test.degreesOfFreedom == 2)
        #expect(abs(test.pValue - 4.539992976248486e-05) < 1e-15)
    }

    /// `scipy.stats.chisquare([480, 520], f_exp=[500, 500])` → (1.6, 0.20590321073206466); the sample-ratio
    /// check `chisquare([9000, 1100], f_exp=[0.9·10100, 0.1·10100])` → (8.910891089108912, 0.002834749080259389).
    @Test("chi-square goodness of fit (sample-ratio mismatch)")
    func goodnessOfFit() {
        let even = DistributionComparison.chiSquareGoodnessOfFit(observed: [480, 520], expectedShares: [0.5, 0.5])
        #expect(abs(even.statistic - 1.6) < 1e-12)
        #expect(abs(even.pValue - 0.20590321073206466) < 1e-13)
        let srm = DistributionComparison.chiSquareGoodnessOfFit(observed: [9000, 1100], expectedShares: [0.9, 0.1])
        #expect(abs(srm.statistic - 8.910891089108912) < 1e-10)
        #expect(abs(srm.pValue - 0.002834749080259389) < 1e-13)
    }

    /// The delta-method variance of a ratio over clusters, computed independently with NumPy as the
    /// variance of the linearised residuals: `R = y.sum()/n.sum()`,
    /// `np.var(y - R*n, ddof=1) / (len(y) * n.mean()**2)` → R = 0.6774193548387096, Var = 0.004562249622188703.
    @Test("delta-method variance of a ratio over conversations")
    func deltaMethod() {
        let y: [Double] = [3, 0, 2, 5, 1, 4, 2, 0, 3, 1]
        let n: [Double] = [4, 1, 3, 6, 2, 5, 2, 1, 4, 3]
        var sums = ClusterSums()
        for index in y.indices { sums.add(y: y[index], n: n[index]) }
        #expect(abs((sums.ratio ?? 0) - 0.6774193548387096) < 1e-15)
        #expect(abs((sums.ratioVariance ?? 0) - 0.004562249622188703) < 1e-15)
    }

    /// The Beta(1,1)-mixture Bayes factor of the conditional binomial test, against numerical integration:
    /// `quad(lambda q: q**kc * (1-q)**kb, 0, 1)[0] / (p**kc * (1-p)**kb)`.
    @Test(
        "rare-event mixture likelihood ratio",
        arguments: [(5, 1, 0.1, 2645.502645502645), (2, 40, 0.05, 0.08407060499710559)])
    func rareEventRatio(candidate: Int, baseline: Int, share: Double, expected: Double) {
        let value = SequentialTests.conditionalBinomialMixtureRatio(
            candidate: candidate, baseline: baseline, share: share)
        #expect(abs(value - expected) < 1e-9 * expected)
    }

    /// The rate-ratio confidence sequence's ends solve Λ(ρ) = 1/α: found with `scipy.optimize.brentq` on
    /// the same Λ for 6 candidate and 2 baseline events over 1,000 and 9,000 tasks, α = 0.05 →
    /// (3.29456756007543, 602.1213972913474).
    @Test("rare-event rate-ratio interval")
    func rareEventInterval() {
        let interval = SequentialTests.rareRateRatioInterval(
            candidate: 6, baseline: 2, candidateExposure: 1000, baselineExposure: 9000, alpha: 0.05)
        #expect(abs(interval.low - 3.29456756007543) < 1e-6 * 3.3)
        #expect(abs(interval.high - 602.1213972913474) < 1e-6 * 602)
    }
}

/// The Mann–Whitney test Kayenta's judge uses, against SciPy 1.17.1 and NumPy.
@Suite("Mann–Whitney U and the Hodges–Lehmann interval")
struct MannWhitneyTests {
    @Test("U, p-value, estimate and interval match SciPy and NumPy")
    func reference() {
        let x = [0.82, 0.79, 0.85, 0.80, 0.77, 0.81, 0.84, 0.78, 0.80, 0.83]
        let y = [0.83, 0.82, 0.86, 0.81, 0.84, 0.85, 0.80, 0.82, 0.87, 0.84, 0.83]
        let result = MannWhitney.test(x, y, confidence: 0.98)
        // scipy.stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", use_continuity=True)
        // → statistic 26.0, pvalue 0.04351403464890886.
        #expect(result.u == 26)
        #expect(abs(result.pValue - 0.04351403464890886) < 1e-12)
        // numpy.median(numpy.subtract.outer(x, y)) → -0.025; with C = ⌊nm/2 − Φ⁻¹(0.99)·√(nm(n+m+1)/12)⌋ = 21,
        // the sorted differences' 21st and (nm + 1 − 21)th values are -0.05 and 0.01.
        #expect(abs(result.estimate - -0.025) < 1e-12)
        #expect(abs(result.low - -0.05) < 1e-12)
        #expect(abs(result.high - 0.01) < 1e-12)
    }
}

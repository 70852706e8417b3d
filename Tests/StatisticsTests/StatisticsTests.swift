import Foundation
import Statistics
import Testing

@Suite("Statistics against reference values")
struct StatisticsTests {
    /// Reference: SciPy 1.17.1, `scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue`, the exact McNemar
    /// test (statsmodels `mcnemar(table, exact=True)` gives the same values).
    @Test(
        "exact McNemar p-value",
        arguments: [
            (0, 0, 1.0), (1, 0, 1.0), (5, 1, 0.21875), (10, 2, 0.03857421875), (3, 12, 0.03515625),
            (0, 7, 0.015625), (25, 40, 0.08168153394154003), (100, 130, 0.05561357778139238),
            (400, 460, 0.04416954819458914),
        ])
    func mcNemar(b: Int, c: Int, expected: Double) {
        let p = ExactTests.mcNemarPValue(b: b, c: c)
        #expect(abs(p - expected) <= 1e-9 * max(1, expected), "b=\(b) c=\(c): \(p) vs SciPy \(expected)")
    }

    /// Reference: the unbiased pass^k estimator C(c, k) / C(n, k) of Yao et al., "τ-bench" (2024), eq. 1,
    /// evaluated with SciPy 1.17.1 `scipy.special.comb(c, k, exact=True) / comb(n, k, exact=True)`.
    @Test(
        "pass^k per task",
        arguments: [
            (5, 5, 3, 1.0), (4, 5, 3, 0.4), (3, 5, 3, 0.1), (2, 5, 3, 0.0), (7, 10, 4, 0.16666666666666666),
            (10, 10, 1, 1.0), (6, 8, 2, 0.5357142857142857),
        ])
    func passHatK(successes: Int, trials: Int, k: Int, expected: Double) throws {
        let value = try #require(ExactTests.passHatK(successes: successes, trials: trials, k: k))
        #expect(abs(value - expected) < 1e-12)
    }

    @Test("pass^k is undefined with fewer trials than k")
    func passHatKUndefined() {
        #expect(ExactTests.passHatK(successes: 2, trials: 2, k: 3) == nil)
    }

    /// Reference: NumPy 2.4.6 `numpy.percentile(x, 100 * q)` (linear, Hyndman–Fan type 7, R's default).
    @Test(
        "type-7 quantile",
        arguments: [(0.0, 0.5), (0.25, 2.45), (0.5, 4.4), (0.9, 10.11), (0.95, 11.054999999999998), (1.0, 12.0)])
    func quantile(q: Double, expected: Double) throws {
        let sample = [3.2, 1.0, 7.5, 2.2, 9.9, 4.4, 4.4, 0.5, 12.0, 6.1]
        let value = try #require(Quantile.of(sample, q))
        #expect(abs(value - expected) < 1e-9)
    }

    @Test("the weighted quantile equals the quantile of the expanded sample")
    func weightedQuantile() throws {
        var generator = SeededGenerator(seed: 5)
        for _ in 0..<50 {
            let groups = 1 + generator.nextIndex(below: 12)
            var pairs: [(Double, Int32)] = []
            for group in 0..<groups {
                for _ in 0..<(1 + generator.nextIndex(below: 4)) {
                    pairs.append((Double(generator.nextIndex(below: 1000)) / 10, Int32(group)))
                }
            }
            pairs.sort { $0.0 < $1.0 }
            let weights = (0..<groups).map { _ in Int32(generator.nextIndex(below: 3)) }
            let expanded = pairs.flatMap { pair in Array(repeating: pair.0, count: Int(weights[Int(pair.1)])) }
            let values = pairs.map(\.0)
            let owners = pairs.map(\.1)
            for q in [0.5, 0.9, 0.95, 0.99] {
                let weighted = values.withUnsafeBufferPointer { v in
                    owners.withUnsafeBufferPointer { o in
                        weights.withUnsafeBufferPointer { w in
                            Quantile.weightedFromTop(
                                values: v, owners: o, weights: w, pooledCount: expanded.count, q: q)
                        }
                    }
                }
                #expect(weighted == Quantile.of(expanded, q), "q=\(q)")
            }
        }
    }

    /// The same seed gives the same bits, on any number of cores; another seed gives another draw.
    @Test("bootstrap is reproducible for a seed")
    func bootstrapReproducible() {
        let values = (0..<300).map { Double($0 % 7) - 3 }
        let statistic: PairedBootstrap.Statistic = { weights in
            var sum = 0.0
            var count = 0.0
            for index in 0..<values.count {
                sum += Double(weights[index]) * values[index]
                count += Double(weights[index])
            }
            return sum / count
        }
        let first = PairedBootstrap(taskCount: values.count, resamples: 1000, seed: 42).distributions([statistic])
        let second = PairedBootstrap(taskCount: values.count, resamples: 1000, seed: 42).distributions([statistic])
        let other = PairedBootstrap(taskCount: values.count, resamples: 1000, seed: 43).distributions([statistic])
        #expect(first == second)
        #expect(first != other)
        #expect(first[0].count == 1000)
    }

    /// Reference: SciPy 1.17.1 `scipy.stats.bootstrap((d,), numpy.mean, n_resamples=20000,
    /// method="percentile", confidence_level=0.95)` on the paired differences below gives (−0.10, 0.06).
    /// Both are Monte Carlo estimates with different generators, so they agree to the Monte Carlo error.
    @Test("bootstrap percentile interval agrees with SciPy")
    func bootstrapAgainstSciPy() throws {
        let base = Array(
            "10101101111111111111111001111011111011111011011110111011000111110111001101111000111101011111111111111101011101111111111110111111111101111011111111111101101111101011111010111111110111101101010111111111"
        ).map { $0 == "1" ? 1.0 : 0.0 }
        let cand = Array(
            "11010111011010111111101111111111100010011111111111111111111110110110011110110111111110001111101010111111110101111110111111011111111101101100111111111010111111110100011111111111101010001111111110110111"
        ).map { $0 == "1" ? 1.0 : 0.0 }
        let differences = zip(cand, base).map { $0 - $1 }
        #expect(abs(differences.reduce(0, +) / Double(differences.count) - -0.02) < 1e-12)
        let statistic: PairedBootstrap.Statistic = { weights in
            var sum = 0.0
            for index in 0..<differences.count { sum += Double(weights[index]) * differences[index] }
            return sum / Double(differences.count)
        }
        let distribution = PairedBootstrap(taskCount: differences.count, resamples: 20000, seed: 3)
            .distributions([statistic])[0]
        let interval = try #require(PairedBootstrap.percentileInterval(distribution, confidence: 0.95))
        #expect(abs(interval.low - -0.10) <= 0.006)
        #expect(abs(interval.high - 0.06) <= 0.006)
    }

    @Test("binomial CDF in log space stays accurate for large n")
    func binomialCDF() {
        // Reference: SciPy 1.17.1 `scipy.stats.binom.cdf(480, 1000, 0.5)` = 0.10872414660207075
        #expect(abs(ExactTests.binomialCDF(480, n: 1000, p: 0.5) - 0.10872414660207075) < 1e-10)
        #expect(ExactTests.binomialCDF(-1, n: 10, p: 0.5) == 0)
        #expect(ExactTests.binomialCDF(10, n: 10, p: 0.5) == 1)
    }

    @Test("the generator's bounded draws are uniform")
    func uniformDraws() {
        var generator = SeededGenerator(seed: 1)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[generator.nextIndex(below: 7)] += 1 }
        // Chi-square with 6 degrees of freedom; 22.46 is its 0.999 quantile (SciPy `chi2.ppf(0.999, 6)`).
        let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - 10_000, 2) / 10_000 }
        #expect(chiSquare < 22.46)
    }
}

import Foundation

/// Exact tests and estimators on small counts.
package enum ExactTests {
    /// The two-sided exact McNemar p-value for `b` and `c` discordant pairs.
    ///
    /// Conditional on the `b + c` discordant pairs, `b` is Binomial(b + c, 1/2) under the null; the
    /// p-value is twice the smaller tail, capped at 1 (statsmodels `mcnemar(exact=True)`, SciPy
    /// `binomtest(min(b, c), b + c, 0.5)`).
    package static func mcNemarPValue(b: Int, c: Int) -> Double {
        let n = b + c
        guard n > 0 else { return 1 }
        let tail = binomialCDF(min(b, c), n: n, p: 0.5)
        return min(1, 2 * tail)
    }

    /// P(X ≤ k) for X ~ Binomial(n, p), summed in log space so large `n` does not underflow.
    package static func binomialCDF(_ k: Int, n: Int, p: Double) -> Double {
        guard k >= 0 else { return 0 }
        guard k < n else { return 1 }
        let logP = log(p)
        let logQ = log1p(-p)
        var terms: [Double] = []
        terms.reserveCapacity(k + 1)
        for i in 0...k {
            terms.append(logChoose(n, i) + Double(i) * logP + Double(n - i) * logQ)
        }
        let largest = terms.max() ?? 0
        let sum = terms.reduce(0) { $0 + exp($1 - largest) }
        return min(1, exp(largest + log(sum)))
    }

    /// log C(n, k).
    package static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }

    /// The unbiased estimate of pass^k for one task: the chance that `k` trials drawn without replacement
    /// from its `n` trials, `c` of them successes, all succeed, C(c, k) / C(n, k) (Yao et al., τ-bench, 2024).
    ///
    /// Returns `nil` when the task has fewer than `k` trials.
    package static func passHatK(successes c: Int, trials n: Int, k: Int) -> Double? {
        guard k >= 1, n >= k, c >= 0, c <= n else { return nil }
        guard c >= k else { return 0 }
        var value = 1.0
        for i in 0..<k {
            value *= Double(c - i) / Double(n - i)
        }
        return value
    }
}

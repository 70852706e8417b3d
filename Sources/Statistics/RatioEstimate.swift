import Foundation

/// Sufficient statistics of a ratio metric over clusters: for each cluster (a conversation) the sum of the
/// numerator Y (successes, cost, …) and of the denominator N (tasks), accumulated as ΣY, ΣN, ΣY², ΣN², ΣYN.
///
/// The task is the analysis unit but the conversation is the randomisation unit, so tasks of one
/// conversation are not independent; the delta method over cluster sums gives the variance of
/// R = ΣY / ΣN (Deng, Knoblich and Lu, "Applying the Delta Method in Metric Analytics", KDD 2018):
///
///     Var(R) ≈ (s²_Y − 2 R s_YN + R² s²_N) / (n N̄²)
///
/// with the sample (co)variances s over the n clusters.
package struct ClusterSums: Codable, Equatable, Sendable {
    package var clusters: Int = 0
    package var sumY: Double = 0
    package var sumN: Double = 0
    package var sumYY: Double = 0
    package var sumNN: Double = 0
    package var sumYN: Double = 0

    enum CodingKeys: String, CodingKey {
        case clusters
        case sumY
        case sumN
        // Names that survive the artifacts' snake_case conversion both ways.
        case sumYY = "sumYSquared"
        case sumNN = "sumNSquared"
        case sumYN = "sumYTimesN"
    }

    /// Empty sums.
    package init() {}

    /// Adds one cluster's totals.
    package mutating func add(y: Double, n: Double) {
        guard n > 0 else { return }
        clusters += 1
        sumY += y
        sumN += n
        sumYY += y * y
        sumNN += n * n
        sumYN += y * n
    }

    /// The ratio ΣY / ΣN, or `nil` without data.
    package var ratio: Double? { sumN > 0 ? sumY / sumN : nil }

    /// The delta-method variance of the ratio, or `nil` with fewer than two clusters.
    package var ratioVariance: Double? {
        guard clusters >= 2, sumN > 0 else { return nil }
        let n = Double(clusters)
        let meanY = sumY / n
        let meanN = sumN / n
        let r = sumY / sumN
        let varY = (sumYY - n * meanY * meanY) / (n - 1)
        let varN = (sumNN - n * meanN * meanN) / (n - 1)
        let cov = (sumYN - n * meanY * meanN) / (n - 1)
        return max(0, (varY - 2 * r * cov + r * r * varN) / (n * meanN * meanN))
    }
}

/// A distance and a test between two categorical distributions (tool-call mix, steps per task).
package enum DistributionComparison {
    /// The Jensen–Shannon distance (base 2, in [0, 1]) between two count vectors (SciPy
    /// `spatial.distance.jensenshannon(p, q, base=2)`).
    package static func jensenShannonDistance(_ p: [Double], _ q: [Double]) -> Double {
        let sumP = p.reduce(0, +)
        let sumQ = q.reduce(0, +)
        guard sumP > 0, sumQ > 0, p.count == q.count else { return 0 }
        var divergence = 0.0
        for i in p.indices {
            let a = p[i] / sumP
            let b = q[i] / sumQ
            let m = (a + b) / 2
            if a > 0 { divergence += 0.5 * a * log2(a / m) }
            if b > 0 { divergence += 0.5 * b * log2(b / m) }
        }
        return max(0, divergence).squareRoot()
    }

    /// Pearson's chi-square test of homogeneity of a 2 × k table (SciPy `chi2_contingency(...,
    /// correction=False)`); columns empty in both rows are dropped. Returns the statistic, the degrees
    /// of freedom and the p-value.
    package static func chiSquareHomogeneity(_ a: [Double], _ b: [Double]) -> (
        statistic: Double, degreesOfFreedom: Int, pValue: Double
    ) {
        let columns = a.indices.filter { a[$0] + b[$0] > 0 }
        let totalA = a.reduce(0, +)
        let totalB = b.reduce(0, +)
        let total = totalA + totalB
        guard columns.count >= 2, totalA > 0, totalB > 0 else { return (0, 0, 1) }
        var statistic = 0.0
        for i in columns {
            let column = a[i] + b[i]
            let expectedA = totalA * column / total
            let expectedB = totalB * column / total
            statistic += (a[i] - expectedA) * (a[i] - expectedA) / expectedA
            statistic += (b[i] - expectedB) * (b[i] - expectedB) / expectedB
        }
        let df = columns.count - 1
        return (statistic, df, Distributions.chiSquareSurvival(statistic, degreesOfFreedom: df))
    }

    /// The chi-square goodness-of-fit test of observed counts against expected shares (SciPy
    /// `chisquare(observed, f_exp)`), used for sample-ratio mismatch.
    package static func chiSquareGoodnessOfFit(observed: [Double], expectedShares: [Double]) -> (
        statistic: Double, pValue: Double
    ) {
        let total = observed.reduce(0, +)
        guard total > 0, observed.count >= 2 else { return (0, 1) }
        var statistic = 0.0
        for i in observed.indices {
            let expected = total * expectedShares[i]
            guard expected > 0 else { continue }
            statistic += (observed[i] - expected) * (observed[i] - expected) / expected
        }
        return (statistic, Distributions.chiSquareSurvival(statistic, degreesOfFreedom: observed.count - 1))
    }
}

extension ClusterSums {
    /// Adds the sums of other clusters.
    package mutating func merge(_ other: ClusterSums) {
        clusters += other.clusters
        sumY += other.sumY
        sumN += other.sumN
        sumYY += other.sumYY
        sumNN += other.sumNN
        sumYN += other.sumYN
    }
}

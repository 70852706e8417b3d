/// The Mann–Whitney U test (Wilcoxon rank-sum) with the Hodges–Lehmann estimate of the shift and its
/// distribution-free confidence interval, as Kayenta's judge uses them.
package enum MannWhitney {
    /// The test of `x` (experiment) against `y` (control).
    package struct Result: Sendable, Equatable {
        /// U of `x`: the number of pairs (xᵢ, yⱼ) with xᵢ > yⱼ, ties counting one half.
        package var u: Double
        /// Two-sided p-value, normal approximation with the tie correction and a continuity correction
        /// (SciPy's `mannwhitneyu(method="asymptotic")`).
        package var pValue: Double
        /// The Hodges–Lehmann estimate of the shift x − y: the median of all differences xᵢ − yⱼ.
        package var estimate: Double
        /// The confidence interval of the shift: order statistics of the differences at ranks from the
        /// normal approximation of U's null distribution (Hollander & Wolfe, Nonparametric Statistical
        /// Methods, 3rd ed., §4.3).
        package var low: Double
        package var high: Double
    }

    /// Tests `x` against `y` (both non-empty) with a `confidence` interval for the shift.
    package static func test(_ x: [Double], _ y: [Double], confidence: Double) -> Result {
        let n = Double(x.count)
        let m = Double(y.count)
        // Midranks of the pooled sample.
        let pooled = (x.map { ($0, true) } + y.map { ($0, false) }).sorted { $0.0 < $1.0 }
        var rankSumX = 0.0
        var tieTerm = 0.0
        var index = 0
        while index < pooled.count {
            var end = index
            while end + 1 < pooled.count, pooled[end + 1].0 == pooled[index].0 { end += 1 }
            let rank = Double(index + end) / 2 + 1
            let ties = Double(end - index + 1)
            tieTerm += ties * ties * ties - ties
            for position in index...end where pooled[position].1 { rankSumX += rank }
            index = end + 1
        }
        let u = rankSumX - n * (n + 1) / 2
        let mean = n * m / 2
        let total = n + m
        let variance = n * m / 12 * ((total + 1) - tieTerm / (total * (total - 1)))
        var pValue = 1.0
        if variance > 0 {
            let z = (abs(u - mean) - 0.5) / variance.squareRoot()
            pValue = min(1, 2 * (1 - Distributions.normalCDF(max(0, z))))
        }
        var differences: [Double] = []
        differences.reserveCapacity(x.count * y.count)
        for a in x { for b in y { differences.append(a - b) } }
        differences.sort()
        let count = differences.count
        let estimate =
            count % 2 == 1
            ? differences[count / 2] : (differences[count / 2 - 1] + differences[count / 2]) / 2
        let z = Distributions.normalQuantile(1 - (1 - confidence) / 2)
        // C = ⌊nm/2 − z·√(nm(n+m+1)/12)⌋; the interval is [D₍C₎, D₍nm+1−C₎] (1-based order statistics).
        let c = max(1, Int((n * m / 2 - z * (n * m * (total + 1) / 12).squareRoot()).rounded(.down)))
        let lowIndex = min(count - 1, c - 1)
        let highIndex = max(0, count - c)
        return Result(
            u: u, pValue: pValue, estimate: estimate, low: differences[lowIndex], high: differences[highIndex])
    }
}

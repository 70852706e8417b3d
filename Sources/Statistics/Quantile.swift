/// Sample quantiles.
package enum Quantile {
    /// The `q` quantile of sorted values by linear interpolation between order statistics (Hyndman and
    /// Fan's type 7, the default of R's `quantile` and NumPy's `percentile`).
    package static func sorted(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let position = Double(values.count - 1) * q
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, values.count - 1)
        let fraction = position - Double(lower)
        return values[lower] + (values[upper] - values[lower]) * fraction
    }

    /// The `q` quantile (type 7) of `values`, which need not be sorted.
    package static func of(_ values: [Double], _ q: Double) -> Double? {
        sorted(values.sorted(), q)
    }

    /// The type-7 `q` quantile of a pooled sample given as distinct groups with multiplicities.
    ///
    /// `values` are sorted ascending and `owners[i]` names the group of `values[i]`; group `g` counts
    /// `weights[g]` times. This is the quantile of the sample in which each group's values are repeated
    /// that many times, found by scanning from the top, so upper quantiles cost only the upper tail.
    package static func weightedFromTop(
        values: UnsafeBufferPointer<Double>, owners: UnsafeBufferPointer<Int32>,
        weights: UnsafeBufferPointer<Int32>, pooledCount: Int, q: Double
    ) -> Double? {
        guard pooledCount > 0 else { return nil }
        let position = Double(pooledCount - 1) * q
        let lowerRank = Int(position.rounded(.down))
        let fraction = position - Double(lowerRank)
        // Ranks counted from the top (0 = largest) of the two order statistics needed.
        let lowerFromTop = pooledCount - 1 - lowerRank
        let upperFromTop = max(lowerFromTop - 1, 0)
        var seen = 0
        var upperValue: Double?
        var index = values.count - 1
        while index >= 0 {
            let count = Int(weights[Int(owners[index])])
            if count > 0 {
                seen += count
                if upperValue == nil, seen > upperFromTop { upperValue = values[index] }
                if seen > lowerFromTop {
                    let lowerValue = values[index]
                    let upper = upperValue ?? lowerValue
                    return lowerValue + (upper - lowerValue) * fraction
                }
            }
            index -= 1
        }
        return nil
    }
}

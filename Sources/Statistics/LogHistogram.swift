import Foundation

/// A log-bucketed histogram of positive values with about 1 % relative error (as DDSketch, Masson et al.,
/// VLDB 2019), mergeable and of fixed size whatever the number of values.
package struct LogHistogram: Sendable {
    package static let gamma = 1.02
    package static let logGamma = log(gamma)
    package static let bucketCount = 1400
    package var counts = [Int](repeating: 0, count: bucketCount)
    package var total = 0

    package init() {}

    package static func index(_ value: Double) -> Int {
        guard value > 1 else { return 0 }
        return min(bucketCount - 1, Int((log(value) / logGamma).rounded(.up)))
    }

    package static func value(ofBucket index: Int) -> Double {
        index == 0 ? 1 : 2 * pow(gamma, Double(index)) / (gamma + 1)
    }

    package mutating func add(_ value: Double) {
        counts[Self.index(value)] += 1
        total += 1
    }

    /// The bucket holding the q-quantile.
    package func quantileBucket(_ q: Double) -> Int? {
        guard total > 0 else { return nil }
        let rank = max(1, Int((q * Double(total)).rounded(.up)))
        var seen = 0
        for (index, count) in counts.enumerated() {
            seen += count
            if seen >= rank { return index }
        }
        return counts.count - 1
    }

    package func quantile(_ q: Double) -> Double? {
        quantileBucket(q).map(Self.value(ofBucket:))
    }

    package func above(bucket: Int) -> Int {
        counts[(bucket + 1)...].reduce(0, +)
    }
}

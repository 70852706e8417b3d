import Dispatch
import Synchronization

/// A paired bootstrap over tasks: every resample draws tasks with replacement, and every statistic sees the
/// same draw for both arms, which keeps the pairing of a benchmark suite.
///
/// A resample is handed to each statistic as a vector of multiplicities (how often each task was drawn), so
/// sums, ratios of sums and weighted quantiles all cost one pass over the tasks and nothing is copied.
package struct PairedBootstrap: Sendable {
    /// A statistic of one resample, computed from the multiplicities of the tasks.
    package typealias Statistic = @Sendable (UnsafeBufferPointer<Int32>) -> Double?

    /// Number of tasks resampled.
    package var taskCount: Int
    /// Number of resamples.
    package var resamples: Int
    /// Seed of the generator; the same seed gives the same intervals.
    package var seed: UInt64

    /// Describes a bootstrap.
    package init(taskCount: Int, resamples: Int, seed: UInt64) {
        self.taskCount = taskCount
        self.resamples = resamples
        self.seed = seed
    }

    /// The bootstrap distributions of `statistics`, one array of values per statistic.
    ///
    /// A resample on which a statistic is undefined (for example a ratio with a zero denominator) is left
    /// out of that statistic's distribution. The resamples are drawn in a fixed number of chunks, each from
    /// its own stream derived from the seed, and the chunks run in parallel: the result is the same on any
    /// number of cores.
    package func distributions(_ statistics: [Statistic]) -> [[Double]] {
        guard taskCount > 0, resamples > 0 else { return Array(repeating: [], count: statistics.count) }
        let chunks = Self.chunkCount
        let collected = Mutex<[Int: [[Double]]]>([:])
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = (resamples * chunk / chunks)..<(resamples * (chunk + 1) / chunks)
            let values = self.resample(range.count, statistics, seed: Self.chunkSeed(seed, chunk))
            collected.withLock { $0[chunk] = values }
        }
        let parts = collected.withLock { $0 }
        return statistics.indices.map { index in
            (0..<chunks).flatMap { parts[$0]?[index] ?? [] }
        }
    }

    /// Resamples are split into this many chunks, whatever the number of cores.
    static let chunkCount = 8

    static func chunkSeed(_ seed: UInt64, _ chunk: Int) -> UInt64 {
        var generator = SeededGenerator(seed: seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(chunk + 1)))
        return generator.next()
    }

    private func resample(_ count: Int, _ statistics: [Statistic], seed: UInt64) -> [[Double]] {
        var generator = SeededGenerator(seed: seed)
        var results = Array(repeating: [Double](), count: statistics.count)
        for index in results.indices { results[index].reserveCapacity(count) }
        var weights = [Int32](repeating: 0, count: taskCount)
        weights.withUnsafeMutableBufferPointer { buffer in
            for _ in 0..<count {
                for index in 0..<taskCount { buffer[index] = 0 }
                for _ in 0..<taskCount {
                    buffer[generator.nextIndex(below: taskCount)] += 1
                }
                let view = UnsafeBufferPointer(buffer)
                for (index, statistic) in statistics.enumerated() {
                    if let value = statistic(view), value.isFinite { results[index].append(value) }
                }
            }
        }
        return results
    }

    /// The percentile interval at two-sided `confidence` from a bootstrap distribution.
    package static func percentileInterval(_ distribution: [Double], confidence: Double) -> (low: Double, high: Double)?
    {
        guard distribution.count >= 2 else { return nil }
        let sorted = distribution.sorted()
        let alpha = 1 - confidence
        guard let low = Quantile.sorted(sorted, alpha / 2), let high = Quantile.sorted(sorted, 1 - alpha / 2) else {
            return nil
        }
        return (low, high)
    }
}

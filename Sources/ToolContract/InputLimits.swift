/// The ranges every parser holds the numbers of its input to.
///
/// Each bound is far above any real value and low enough that the sums, squares and ratios the tools form
/// over billions of rows stay finite, and that a count converts to `Int` without trapping: a bad input is
/// refused with its file, line and field (exit 65), and no artifact ever holds a non-finite number.
package enum InputLimits {
    /// US dollars per task or attempt.
    package static let cost: ClosedRange<Double> = 0...1e9
    /// Milliseconds per task or attempt (about 31 years).
    package static let latencyMs: ClosedRange<Double> = 0...1e12
    /// Counts: tokens, steps, tool calls, unauthorized actions.
    package static let count: ClosedRange<Double> = 0...1e15

    /// The range as the error messages print it: `0…1000000000`.
    package static func describe(_ range: ClosedRange<Double>) -> String {
        "\(format(range.lowerBound))…\(format(range.upperBound))"
    }

    private static func format(_ bound: Double) -> String {
        bound.rounded() == bound && abs(bound) <= 1e15 ? String(Int64(bound)) : String(bound)
    }
}

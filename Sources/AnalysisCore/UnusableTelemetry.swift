import Telemetry

/// Telemetry a look read but could not make tasks of, for one reason: how many traces and spans.
package struct UnusableTelemetry: Codable, Equatable, Sendable {
    package var reason: UnusableReason
    package var traces: Int
    package var spans: Int

    /// Makes the value from its fields.
    package init(reason: UnusableReason, traces: Int, spans: Int) {
        self.reason = reason
        self.traces = traces
        self.spans = spans
    }

    /// One sentence for people: the counts, the reason and what to change.
    package var sentence: String {
        "\(traces) trace(s) (\(spans) span(s)) gave no task: \(reason.advice)"
    }
}

/// Counts unusable traces by reason as a look reads them.
package struct UnusableTally: Equatable, Sendable {
    private var counts: [UnusableReason: UnusableTelemetry] = [:]

    /// An empty tally.
    package init() {}

    /// Counts one trace of `spans` spans that gave no task for `reason`.
    package mutating func add(_ reason: UnusableReason, spans: Int) {
        counts[reason, default: UnusableTelemetry(reason: reason, traces: 0, spans: 0)].traces += 1
        counts[reason, default: UnusableTelemetry(reason: reason, traces: 0, spans: 0)].spans += spans
    }

    /// Adds another tally's counts.
    package mutating func merge(_ other: UnusableTally) {
        for (reason, count) in other.counts {
            counts[reason, default: UnusableTelemetry(reason: reason, traces: 0, spans: 0)].traces += count.traces
            counts[reason, default: UnusableTelemetry(reason: reason, traces: 0, spans: 0)].spans += count.spans
        }
    }

    /// The counts, by reason in a stable order; empty when every trace gave a task.
    package var list: [UnusableTelemetry] {
        counts.values.sorted { $0.reason < $1.reason }
    }
}

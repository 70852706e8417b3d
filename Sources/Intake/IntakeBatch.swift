import RunLedger
import Telemetry

/// What one request's body held, decoded and checked but not yet committed: the native events it brought, the
/// spans (or evaluation log records) of each trace, and what was rejected and why.
struct IntakeBatch: Sendable {
    /// The spans one request brought of one trace.
    struct TracePart: Sendable {
        var traceId: String
        var agent: String
        var spans: [OTLPSpan]
        /// The trace's events when the request brought its opening span, built from the request's spans on the
        /// request's own thread; the commit builds them again only when earlier requests brought spans of the
        /// trace too.
        var built: IntakeAssembler.BuiltTrace?
    }

    /// Native events received as they are (`POST /v1/events`), and each parsed.
    var events: [IntakeRecord] = []
    var parsed: [AgentEvent] = []
    /// The traces' spans, in the order of their first span in the body.
    var traces: [TracePart] = []
    /// Spans, log records or events refused, by the reason's label (`malformed`).
    var rejected: [String: Int] = [:]
    /// Log records acknowledged but not kept: not an outcome signal a task can use.
    var dropped = 0
    /// The first refusal, in words (the response's `error_message`).
    var firstError: String?

    var rejectedCount: Int { rejected.values.reduce(0, +) }

    /// The records the request brought and the commit counts: events, spans and log records.
    var recordCount: Int { events.count + traces.reduce(0) { $0 + $1.spans.count } }

    /// About the bytes the batch holds until its commit (a span's attributes cost more than its wire bytes).
    var heldBytes: Int {
        events.reduce(0) { $0 + $1.body.utf8.count } + traces.reduce(0) { $0 + $1.spans.count * 512 }
    }

    mutating func reject(_ reason: String, _ error: TelemetryError) {
        rejected[reason, default: 0] += 1
        if firstError == nil { firstError = error.description }
    }
}

/// What the commit of one request did: its records new or retried, the tasks and violations it stored (for the
/// live metrics), and the traces it completed that gave no task.
struct IntakeOutcome: Sendable {
    /// A task or violation stored for the first time, with its agent.
    struct Fact: Sendable {
        var agent: String
        var event: AgentEvent
    }

    var accepted = 0
    var duplicates = 0
    var facts: [Fact] = []
    var unusable: [(trace: String, agent: String, reason: UnusableReason, spans: Int)] = []
    /// Traces whose spans did not give valid events (a fact out of range), by error: stored as complete with no
    /// event, as a look over files skips them.
    var invalid: [TelemetryError] = []

    mutating func count(new: Bool) {
        if new { accepted += 1 } else { duplicates += 1 }
    }
}

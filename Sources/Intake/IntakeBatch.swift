import Ledger
import Telemetry

/// What one request's body held: the records to commit, the tasks and violations among them for the live
/// metrics, and what was rejected and why.
struct IntakeBatch: Sendable {
    /// A task or violation of the batch, with its agent and the record it came from.
    struct Fact: Sendable {
        var agent: String
        var record: Int
        var event: AgentEvent
    }

    var records: [IntakeRecord] = []
    var facts: [Fact] = []
    /// Unauthorized tool calls whose root is not in this request (the record, its trace), for the live metrics.
    var rogueCalls: [(record: Int, trace: String)] = []
    /// Spans, log records or events refused, by the reason's label (`malformed`).
    var rejected: [String: Int] = [:]
    /// Log records acknowledged but not kept: not an outcome signal a task can use.
    var dropped = 0
    /// The first refusal, in words (the response's `error_message`).
    var firstError: String?

    /// Complete traces accepted that gave no task (they are kept; a look counts them too), by agent and reason.
    var unusable: [UnusableKey: (traces: Int, spans: Int)] = [:]

    /// An agent and why its traces gave no task.
    struct UnusableKey: Hashable, Sendable {
        var agent: String
        var reason: UnusableReason
    }

    var rejectedCount: Int { rejected.values.reduce(0, +) }

    mutating func noteUnusable(_ reason: UnusableReason, agent: String, spans: Int) {
        let key = UnusableKey(agent: agent, reason: reason)
        unusable[key, default: (0, 0)].traces += 1
        unusable[key, default: (0, 0)].spans += spans
    }

    mutating func reject(_ reason: String, _ error: TelemetryError) {
        rejected[reason, default: 0] += 1
        if firstError == nil { firstError = error.description }
    }
}

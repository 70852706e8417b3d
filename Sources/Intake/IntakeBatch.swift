import RunLedger
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

    /// Traces completed in this request whose spans here gave no task (they are kept; a look counts them too).
    var unusable: [(trace: String, agent: String, reason: UnusableReason, spans: Int)] = []
    /// Traces with a possible task span in this request but not their opening span: a later request's
    /// opening span completes a trace whose task came here.
    var taskSpanTraces: Set<String> = []

    var rejectedCount: Int { rejected.values.reduce(0, +) }

    mutating func noteUnusable(_ reason: UnusableReason, trace: String, agent: String, spans: Int) {
        unusable.append((trace, agent, reason, spans))
    }

    mutating func reject(_ reason: String, _ error: TelemetryError) {
        rejected[reason, default: 0] += 1
        if firstError == nil { firstError = error.description }
    }
}

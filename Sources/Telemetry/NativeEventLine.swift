import JSONLines
import Vocabulary

extension AgentEvent {
    /// The event as one native event line (`schemas/agent-event.schema.json`), which ``NativeEventParser``
    /// reads back as the same event: what `monitor serve` stores of a complete trace, so that a look reads a
    /// trace's tasks as it reads a native file and never parses its spans again.
    ///
    /// `ts` is written to the microsecond; a reader that needs the exact time keeps it beside the line (the
    /// ledger's `ts` column). A task's `trace_id`, `span_id` and `cost_source` say which span it came from and
    /// whether its cost was reported or priced from its tokens.
    package var nativeLine: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(320)
        var object = JSONObjectBytes(&bytes)
        switch self {
        case .task(let task):
            object.string("type", "task", &bytes)
            Self.common(&object, task.timestamp, task.eventId, task.version, &bytes)
            object.string("conversation_id", task.conversationId, &bytes)
            object.string("task_id", task.taskId, &bytes)
            object.string("request_id", task.requestId, &bytes)
            object.string("trace_id", task.traceId, &bytes)
            object.string("span_id", task.spanId, &bytes)
            object.string("outcome", task.outcome.rawValue, &bytes)
            object.number("cost_usd", task.costUSD, &bytes)
            if task.costUSD != nil {
                object.string("cost_source", task.costFromPrices ? "price_table" : "reported", &bytes)
            }
            object.number("latency_ms", task.latencyMs, &bytes)
            object.number("input_tokens", task.inputTokens, &bytes)
            object.number("output_tokens", task.outputTokens, &bytes)
            object.number("steps", task.steps, &bytes)
            object.value("tool_calls", &bytes) { Self.toolCalls(task.toolCalls, &$0) }
            object.string("category", task.category, &bytes)
            object.number("judge_score", task.judgeScore, &bytes)
            object.string("input", task.input, &bytes)
            object.string("output", task.output, &bytes)
        case .feedback(let item):
            object.string("type", "feedback", &bytes)
            Self.common(&object, item.timestamp, item.eventId, item.version, &bytes)
            object.string("task_id", item.taskId, &bytes)
            object.string("conversation_id", item.conversationId, &bytes)
            object.number("rating", item.rating.map(Double.init), &bytes)
            object.string("thumbs", item.thumbsUp.map { $0 ? "up" : "down" }, &bytes)
            object.string("comment", item.comment, &bytes)
        case .violation(let item):
            object.string("type", "violation", &bytes)
            Self.common(&object, item.timestamp, item.eventId, item.version, &bytes)
            object.string("task_id", item.taskId, &bytes)
            object.string("conversation_id", item.conversationId, &bytes)
            object.string("action", item.action, &bytes)
            object.string("severity", item.severity.rawValue, &bytes)
            object.string("policy", item.policy, &bytes)
        case .shadow(let item):
            object.string("type", "shadow", &bytes)
            Self.common(&object, item.timestamp, item.eventId, item.version, &bytes)
            object.string("request_id", item.requestId, &bytes)
            object.string("conversation_id", item.conversationId, &bytes)
            object.value("proposed_tool_calls", &bytes) { Self.toolCalls(item.proposedToolCalls, &$0) }
            object.string("output", item.output, &bytes)
        }
        object.close(&bytes)
        return bytes
    }

    private static func common(
        _ object: inout JSONObjectBytes, _ timestamp: Double, _ eventId: String, _ version: String,
        _ bytes: inout [UInt8]
    ) {
        object.string("ts", Timestamp.rfc3339(timestamp), &bytes)
        object.string("event_id", eventId, &bytes)
        object.string("version", version, &bytes)
    }

    private static func toolCalls(_ calls: [ToolCall], _ bytes: inout [UInt8]) {
        bytes.appendRaw("[")
        for (index, call) in calls.enumerated() {
            if index > 0 { bytes.appendRaw(",") }
            var object = JSONObjectBytes(&bytes)
            object.string("name", call.name, &bytes)
            if let authorized = call.authorized { object.raw("authorized", authorized ? "true" : "false", &bytes) }
            object.close(&bytes)
        }
        bytes.appendRaw("]")
    }
}

extension Timestamp {
    /// `seconds` since 1970 as RFC 3339 in UTC, to the microsecond (`2026-11-26T15:02:07.123456Z`).
    package static func rfc3339(_ seconds: Double) -> String {
        let micros = Int64((seconds * 1_000_000).rounded(.down))
        let whole = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - whole * 1_000_000
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let secondOfDay = whole - days * 86_400
        // Days to a civil date (Howard Hinnant's algorithm).
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(fraction, 6))Z"
    }
}

import Foundation
import JSONLines
import Telemetry
import Vocabulary

/// Writes native agent events as JSONL lines (`schemas/agent-event.schema.json`).
package enum NativeEventWriter {
    /// One event as one line (without the newline).
    package static func line(_ event: AgentEvent) -> String {
        var fields: [(String, String)] = []
        func string(_ key: String, _ value: String?) {
            if let value { fields.append((key, quote(value))) }
        }
        func number(_ key: String, _ value: Double?) {
            if let value { fields.append((key, format(value))) }
        }
        func calls(_ key: String, _ calls: [ToolCall]) {
            let items = calls.map { call in
                "{\"name\":\(quote(call.name))" + (call.authorized.map { ",\"authorized\":\($0)" } ?? "") + "}"
            }
            fields.append((key, "[" + items.joined(separator: ",") + "]"))
        }
        switch event {
        case .task(let task):
            string("type", "task")
            string("ts", rfc3339(task.timestamp))
            string("event_id", task.eventId)
            string("version", task.version)
            string("conversation_id", task.conversationId)
            string("task_id", task.taskId)
            string("request_id", task.requestId)
            string("outcome", task.outcome.rawValue)
            number("cost_usd", task.costUSD)
            number("latency_ms", task.latencyMs)
            number("input_tokens", task.inputTokens)
            number("output_tokens", task.outputTokens)
            number("steps", task.steps)
            number("judge_score", task.judgeScore)
            calls("tool_calls", task.toolCalls)
            string("category", task.category)
            if let input = task.input { fields.append(("input", input)) }
            if let output = task.output { fields.append(("output", output)) }
        case .feedback(let feedback):
            string("type", "feedback")
            string("ts", rfc3339(feedback.timestamp))
            string("event_id", feedback.eventId)
            string("version", feedback.version)
            string("task_id", feedback.taskId)
            string("conversation_id", feedback.conversationId)
            if let rating = feedback.rating { fields.append(("rating", String(rating))) }
            if let up = feedback.thumbsUp { string("thumbs", up ? "up" : "down") }
            string("comment", feedback.comment)
        case .violation(let violation):
            string("type", "violation")
            string("ts", rfc3339(violation.timestamp))
            string("event_id", violation.eventId)
            string("version", violation.version)
            string("task_id", violation.taskId)
            string("conversation_id", violation.conversationId)
            string("action", violation.action)
            string("severity", violation.severity.rawValue)
            string("policy", violation.policy)
        case .shadow(let shadow):
            string("type", "shadow")
            string("ts", rfc3339(shadow.timestamp))
            string("event_id", shadow.eventId)
            string("version", shadow.version)
            string("request_id", shadow.requestId)
            string("conversation_id", shadow.conversationId)
            calls("proposed_tool_calls", shadow.proposedToolCalls)
            if let output = shadow.output { fields.append(("output", output)) }
        }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// A JSON string literal.
    package static func quote(_ text: String) -> String { jsonStringLiteral(text) }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// RFC 3339 UTC with milliseconds.
    package static func rfc3339(_ seconds: Double) -> String {
        let milliseconds = Int64((seconds * 1000).rounded())
        var time = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(milliseconds % 1000))
    }
}

/// Which generation of attribute names an OTLP trace uses.
package enum GenAINames: String, Sendable, CaseIterable {
    /// Current GenAI semantic conventions: `gen_ai.usage.input_tokens`, `gen_ai.conversation.id`,
    /// `gen_ai.agent.version`, `gen_ai.usage.cost`; usage on the root span.
    case current
    /// Deprecated names: `gen_ai.usage.prompt_tokens`/`completion_tokens` on the inference spans,
    /// `session.id`, the version in the resource's `service.version`, `llm.cost.total`.
    case legacy
    /// OpenInference, shaped as its instrumentations emit it (Tests/Fixtures/instrumentation): span kinds in
    /// `openinference.span.kind` (AGENT, LLM, TOOL) and no `gen_ai.operation.name`, `llm.model_name` and
    /// `llm.token_count.prompt`/`completion` on the LLM spans, `tool.name`, `session.id`, the version in the
    /// resource's `service.version`.
    case openinference
}

/// Writes tasks as OTLP/JSON `TracesData` lines, as the OpenTelemetry collector's file exporter does.
package enum OTLPWriter {
    /// One task as one line; `successEvaluation` names the evaluation event that carries the outcome.
    package static func line(_ task: TaskEvent, names: GenAINames, successEvaluation: String = "task_success") -> String
    {
        let traceId = hex(stableHash(task.taskId + "/trace"), digits: 32)
        let rootId = hex(stableHash(task.taskId + "/root"), digits: 16)
        let endMs = Int64((task.timestamp * 1000).rounded())
        let end = endMs * 1_000_000
        let start = end - Int64((task.latencyMs ?? 0) * 1_000_000)
        func attr(_ key: String, _ value: Any) -> String {
            switch value {
            case let text as String:
                return
                    "{\"key\":\(NativeEventWriter.quote(key)),\"value\":{\"stringValue\":\(NativeEventWriter.quote(text))}}"
            case let flag as Bool: return "{\"key\":\(NativeEventWriter.quote(key)),\"value\":{\"boolValue\":\(flag)}}"
            case let int as Int: return "{\"key\":\(NativeEventWriter.quote(key)),\"value\":{\"intValue\":\"\(int)\"}}"
            case let double as Double:
                return "{\"key\":\(NativeEventWriter.quote(key)),\"value\":{\"doubleValue\":\(double)}}"
            default: return ""
            }
        }
        var rootAttributes =
            names == .openinference
            ? [attr("openinference.span.kind", "AGENT"), attr("agent.name", "support-agent")]
            : [attr("gen_ai.operation.name", "invoke_agent"), attr("gen_ai.agent.name", "support-agent")]
        var resource = [attr("service.name", "support-agent")]
        switch names {
        case .current:
            rootAttributes.append(attr("gen_ai.agent.version", task.version))
            rootAttributes.append(attr("gen_ai.conversation.id", task.conversationId))
            if let tokens = task.inputTokens { rootAttributes.append(attr("gen_ai.usage.input_tokens", Int(tokens))) }
            if let tokens = task.outputTokens { rootAttributes.append(attr("gen_ai.usage.output_tokens", Int(tokens))) }
            if let cost = task.costUSD { rootAttributes.append(attr("gen_ai.usage.cost", cost)) }
        case .legacy:
            resource.append(attr("service.version", task.version))
            rootAttributes.append(attr("session.id", task.conversationId))
            if let cost = task.costUSD { rootAttributes.append(attr("llm.cost.total", cost)) }
        case .openinference:
            resource.append(attr("service.version", task.version))
            rootAttributes.append(attr("session.id", task.conversationId))
            if let cost = task.costUSD { rootAttributes.append(attr("llm.cost.total", cost)) }
        }
        if let category = task.category { rootAttributes.append(attr("agent_canary.task.category", category)) }
        if let request = task.requestId { rootAttributes.append(attr("agent_canary.request.id", request)) }
        if let input = task.input { rootAttributes.append(attr("gen_ai.input.messages", input)) }
        if let output = task.output { rootAttributes.append(attr("gen_ai.output.messages", output)) }
        var status = ""
        if task.outcome == .error {
            // OpenInference marks an error by the status alone.
            if names != .openinference { rootAttributes.append(attr("error.type", "tool_timeout")) }
            status = ",\"status\":{\"code\":2,\"message\":\"task failed\"}"
        }
        let label = task.outcome == .success ? "pass" : "fail"
        var evaluation = [
            attr("gen_ai.evaluation.name", successEvaluation), attr("gen_ai.evaluation.score.label", label),
        ]
        if let score = task.judgeScore { evaluation.append(attr("gen_ai.evaluation.score.value", score)) }
        let event =
            "{\"timeUnixNano\":\"\(end)\",\"name\":\"gen_ai.evaluation.result\",\"attributes\":[\(evaluation.joined(separator: ","))]}"
        let rootName = names == .openinference ? "support-agent" : "invoke_agent support-agent"
        var spans = [
            "{\"traceId\":\"\(traceId)\",\"spanId\":\"\(rootId)\",\"parentSpanId\":\"\",\"name\":\"\(rootName)\","
                + "\"kind\":1,\"startTimeUnixNano\":\"\(start)\",\"endTimeUnixNano\":\"\(end)\","
                + "\"attributes\":[\(rootAttributes.joined(separator: ","))],\"events\":[\(event)]\(status)}"
        ]
        // Inference spans: one per step; under the legacy and OpenInference names they carry the usage.
        let steps = Int(task.steps ?? 0)
        let inputTokens = Int(task.inputTokens ?? 0)
        let outputTokens = Int(task.outputTokens ?? 0)
        let duration = max(1, (end - start) / Int64(max(1, steps + task.toolCalls.count)))
        var clock = start
        for index in 0..<steps {
            var attributes =
                names == .openinference
                ? [attr("openinference.span.kind", "LLM"), attr("llm.model_name", "model-a")]
                : [attr("gen_ai.operation.name", "chat"), attr("gen_ai.request.model", "model-a")]
            let share = { (total: Int) in total / steps + (index == 0 ? total % steps : 0) }
            switch names {
            case .current: break
            case .legacy:
                attributes.append(attr("gen_ai.usage.prompt_tokens", share(inputTokens)))
                attributes.append(attr("gen_ai.usage.completion_tokens", share(outputTokens)))
            case .openinference:
                attributes.append(attr("llm.token_count.prompt", share(inputTokens)))
                attributes.append(attr("llm.token_count.completion", share(outputTokens)))
            }
            let id = hex(stableHash(task.taskId + "/chat\(index)"), digits: 16)
            spans.append(
                "{\"traceId\":\"\(traceId)\",\"spanId\":\"\(id)\",\"parentSpanId\":\"\(rootId)\",\"name\":\"\(names == .openinference ? "response" : "chat model-a")\","
                    + "\"kind\":3,\"startTimeUnixNano\":\"\(clock)\",\"endTimeUnixNano\":\"\(clock + duration)\","
                    + "\"attributes\":[\(attributes.joined(separator: ","))]}")
            clock += duration
        }
        for (index, call) in task.toolCalls.enumerated() {
            let id = hex(stableHash(task.taskId + "/tool\(index)"), digits: 16)
            let attributes =
                (names == .openinference
                    ? [attr("openinference.span.kind", "TOOL"), attr("tool.name", call.name)]
                    : [attr("gen_ai.operation.name", "execute_tool"), attr("gen_ai.tool.name", call.name)])
                + [attr("agent_canary.tool.authorized", call.authorized ?? true)]
            let name = names == .openinference ? call.name : "execute_tool \(call.name)"
            spans.append(
                "{\"traceId\":\"\(traceId)\",\"spanId\":\"\(id)\",\"parentSpanId\":\"\(rootId)\",\"name\":\"\(name)\","
                    + "\"kind\":1,\"startTimeUnixNano\":\"\(clock)\",\"endTimeUnixNano\":\"\(clock + duration)\","
                    + "\"attributes\":[\(attributes.joined(separator: ","))]}")
            clock += duration
        }
        return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[\(resource.joined(separator: ","))]},"
            + "\"scopeSpans\":[{\"scope\":{\"name\":\"agent-canary.simulator\"},\"spans\":[\(spans.joined(separator: ","))]}]}]}"
    }

    static func hex(_ value: UInt64, digits: Int) -> String {
        var text = String(value, radix: 16)
        text = String(repeating: "0", count: max(0, 16 - text.count)) + text
        if digits == 32 {
            var second = String(value &* 0x9e37_79b9_7f4a_7c15, radix: 16)
            second = String(repeating: "0", count: max(0, 16 - second.count)) + second
            return text + second
        }
        return text
    }
}

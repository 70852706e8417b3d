import JSONLines

/// What a span is to an agent task, read from whichever convention the instrumentation follows: the
/// OpenTelemetry GenAI conventions (`gen_ai.operation.name`, current and deprecated names), OpenInference
/// (`openinference.span.kind`) and OpenLLMetry/Traceloop (`traceloop.span.kind`).
package enum SpanRole: Sendable, Equatable {
    /// An agent or workflow span: the outermost one of a trace is a task.
    case agent
    /// A tool call.
    case tool
    /// A model call (one step).
    case inference
    /// An OpenInference `CHAIN`: a task only when no OpenInference span is above it.
    case chain
    /// A guardrail check (the Agents SDK's input and output guardrails, OpenInference `GUARDRAIL`).
    case guardrail
    /// Anything else (an HTTP request, an application's own span, a retriever).
    case other
}

extension OTLPSpan {
    /// The OTLP span flags' bit that says the next one is meaningful (`SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK`).
    static let hasIsRemoteFlag: UInt32 = 0x100
    /// The OTLP span flags' bit that says the parent is remote (`SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK`).
    static let isRemoteFlag: UInt32 = 0x200
    /// The flags written for a span whose parent is remote.
    static let remoteParentFlags = hasIsRemoteFlag | isRemoteFlag

    /// Whether span `flags` say that the parent is in another process.
    static func parentIsRemote(flags: UInt32) -> Bool {
        flags & remoteParentFlags == remoteParentFlags
    }

    /// Whether the span opens its trace in this process: it has no parent, or its parent is remote. Its
    /// arrival completes the trace (a parent span ends, and is exported, after its children).
    package var opensTrace: Bool {
        !isAnnotation && (parentSpanId.isEmpty || parentIsRemote)
    }

    /// What the span is to a task, whichever convention names it: `gen_ai.operation.name` first (one lookup for
    /// the GenAI conventions, the hot path of the intake), then OpenInference's and OpenLLMetry's span kinds, then
    /// the span name's first word and OpenLLMetry's `llm.request.type`.
    package var role: SpanRole {
        if isAnnotation { return .other }
        let named = attributes["gen_ai.operation.name"]?.stringValue
        if let named, let role = Self.role(ofOperation: named) { return role }
        if let kind = attributes["openinference.span.kind"]?.stringValue {
            switch kind.uppercased() {
            case "AGENT": return .agent
            case "TOOL": return .tool
            case "LLM": return .inference
            case "CHAIN": return .chain
            case "GUARDRAIL": return .guardrail
            default: return .other
            }
        }
        if let kind = attributes["traceloop.span.kind"]?.stringValue {
            switch kind {
            case "workflow", "agent": return .agent
            case "tool": return .tool
            default: break
            }
        }
        if named == nil, let role = Self.role(ofOperation: operation) { return role }
        // OpenLLMetry's model calls (`openai.chat`) say what they are in `llm.request.type`.
        if let type = attributes["llm.request.type"]?.stringValue, type == "chat" || type == "completion" {
            return .inference
        }
        return .other
    }

    /// The role of a GenAI operation name; `nil` for one that names no role here.
    static func role(ofOperation operation: String) -> SpanRole? {
        switch operation {
        case "invoke_agent", "invoke_workflow": .agent
        case "execute_tool": .tool
        case "chat", "text_completion", "generate_content", "completion": .inference
        case "guardrail_check", "apply_guardrail", "guardrail": .guardrail
        default: nil
        }
    }

    /// The value of the first of `names` that the span carries as a number.
    func number(_ names: [String]) -> Double? {
        for name in names { if let value = attributes[name]?.numberValue { return value } }
        return nil
    }

    /// The value of the first of `names` that the span carries as a string.
    func text(_ names: [String]) -> String? {
        for name in names { if let value = attributes[name]?.stringValue, !value.isEmpty { return value } }
        return nil
    }

    /// Whether the span, or one of its events, says that a guardrail triggered (`gen_ai.guardrail.triggered`,
    /// Sentry's `gen_ai.guardrail.tripwire_triggered`); the guardrail's name when it did.
    var triggeredGuardrail: String? {
        func triggered(_ attributes: [String: JSONValue]) -> Bool {
            DialectNames.guardrailTriggered.contains { attributes[$0] == .bool(true) }
        }
        if triggered(attributes) { return text(["gen_ai.guardrail.name"]) ?? name }
        for event in events where triggered(event.attributes) {
            return event.attributes["gen_ai.guardrail.name"]?.stringValue ?? event.name
        }
        return nil
    }

    /// Whether the span records a failure: an ERROR status or an `error.type`.
    var failed: Bool {
        statusCode == 2 || attributes["error.type"] != nil
    }
}

/// The attribute names each convention gives one fact, in the order they are read.
enum DialectNames {
    static let inputTokens = [
        "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt", "llm.usage.prompt_tokens",
    ]
    static let outputTokens = [
        "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion",
        "llm.usage.completion_tokens",
    ]
    static let cost = ["gen_ai.usage.cost", "llm.cost.total"]
    /// The model that answered, then the model asked for.
    static let responseModel = ["gen_ai.response.model", "llm.model_name", "llm.response.model"]
    static let requestModel = ["gen_ai.request.model", "llm.request.model"]
    static let toolName = ["gen_ai.tool.name", "tool.name"]
    static let conversation = ["gen_ai.conversation.id", "session.id"]
    static let version = ["feature_flag.result.variant", "gen_ai.agent.version"]
    static let input = ["gen_ai.input.messages", "input.value"]
    static let output = ["gen_ai.output.messages", "output.value"]
    static let guardrailTriggered = ["gen_ai.guardrail.triggered", "gen_ai.guardrail.tripwire_triggered"]
}

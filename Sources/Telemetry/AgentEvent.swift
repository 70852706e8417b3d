import Vocabulary

/// A tool call an agent made or proposed.
package struct ToolCall: Sendable, Equatable {
    package var name: String
    /// Whether the call was authorized (proposed calls in shadow mode carry no decision: `nil`).
    package var authorized: Bool?

    /// Makes a tool call.
    package init(name: String, authorized: Bool?) {
        self.name = name
        self.authorized = authorized
    }
}

/// A completed (or failed) task of one agent version (`schemas/agent-event.schema.json`, type `task`).
package struct TaskEvent: Sendable, Equatable {
    package var timestamp: Double
    package var eventId: String
    package var version: String
    package var conversationId: String
    package var taskId: String
    package var requestId: String?
    package var outcome: TaskOutcome
    package var costUSD: Double?
    package var latencyMs: Double?
    package var inputTokens: Double?
    package var outputTokens: Double?
    package var steps: Double?
    package var toolCalls: [ToolCall]
    package var category: String?
    /// The task's input and output as JSON text, when the telemetry carried content.
    package var input: String?
    package var output: String?
    /// An LLM judge's or grader's score in [0, 1].
    package var judgeScore: Double? = nil
    /// Where the task came from in a trace (OTLP), for provenance.
    package var traceId: String? = nil
    package var spanId: String? = nil
    /// Whether the cost was computed from tokens and the policy's price table rather than reported.
    package var costFromPrices: Bool = false
}

/// A user's rating of a task or conversation, arriving after it (type `feedback`).
package struct FeedbackEvent: Sendable, Equatable {
    package var timestamp: Double
    package var eventId: String
    package var version: String
    package var taskId: String?
    package var conversationId: String?
    /// 1…5, or `nil` with thumbs.
    package var rating: Int?
    /// `true` for up, `false` for down.
    package var thumbsUp: Bool?
    package var comment: String?

    /// Makes a feedback event.
    package init(
        timestamp: Double, eventId: String, version: String, taskId: String?, conversationId: String?, rating: Int?,
        thumbsUp: Bool?, comment: String?
    ) {
        self.timestamp = timestamp
        self.eventId = eventId
        self.version = version
        self.taskId = taskId
        self.conversationId = conversationId
        self.rating = rating
        self.thumbsUp = thumbsUp
        self.comment = comment
    }
}

/// A policy engine's or guardrail's finding (type `violation`).
package struct ViolationEvent: Sendable, Equatable {
    package var timestamp: Double
    package var eventId: String
    package var version: String
    package var taskId: String
    package var conversationId: String
    package var action: String
    package var severity: ViolationSeverity
    package var policy: String?

    /// Makes a violation event.
    package init(
        timestamp: Double, eventId: String, version: String, taskId: String, conversationId: String, action: String,
        severity: ViolationSeverity, policy: String?
    ) {
        self.timestamp = timestamp
        self.eventId = eventId
        self.version = version
        self.taskId = taskId
        self.conversationId = conversationId
        self.action = action
        self.severity = severity
        self.policy = policy
    }
}

/// What a shadow candidate would have done for a request (type `shadow`).
package struct ShadowEvent: Sendable, Equatable {
    package var timestamp: Double
    package var eventId: String
    package var version: String
    package var requestId: String
    package var conversationId: String
    package var proposedToolCalls: [ToolCall]
    package var output: String?

    /// Makes a shadow event.
    package init(
        timestamp: Double, eventId: String, version: String, requestId: String, conversationId: String,
        proposedToolCalls: [ToolCall], output: String?
    ) {
        self.timestamp = timestamp
        self.eventId = eventId
        self.version = version
        self.requestId = requestId
        self.conversationId = conversationId
        self.proposedToolCalls = proposedToolCalls
        self.output = output
    }
}

/// One native agent event.
package enum AgentEvent: Sendable, Equatable {
    case task(TaskEvent)
    case feedback(FeedbackEvent)
    case violation(ViolationEvent)
    case shadow(ShadowEvent)

    /// The agent version the event belongs to.
    package var version: String {
        switch self {
        case .task(let event): event.version
        case .feedback(let event): event.version
        case .violation(let event): event.version
        case .shadow(let event): event.version
        }
    }

    /// When the event happened (seconds since 1970).
    package var timestamp: Double {
        get {
            switch self {
            case .task(let event): event.timestamp
            case .feedback(let event): event.timestamp
            case .violation(let event): event.timestamp
            case .shadow(let event): event.timestamp
            }
        }
        set {
            switch self {
            case .task(var event):
                event.timestamp = newValue
                self = .task(event)
            case .feedback(var event):
                event.timestamp = newValue
                self = .feedback(event)
            case .violation(var event):
                event.timestamp = newValue
                self = .violation(event)
            case .shadow(var event):
                event.timestamp = newValue
                self = .shadow(event)
            }
        }
    }

    /// The event's id, which deduplicates repeated input.
    package var eventId: String {
        switch self {
        case .task(let event): event.eventId
        case .feedback(let event): event.eventId
        case .violation(let event): event.eventId
        case .shadow(let event): event.eventId
        }
    }
}

extension TaskEvent {
    /// Makes a task event.
    package init(
        timestamp: Double, eventId: String, version: String, conversationId: String, taskId: String,
        requestId: String?, outcome: TaskOutcome, costUSD: Double?, latencyMs: Double?, inputTokens: Double?,
        outputTokens: Double?, steps: Double?, toolCalls: [ToolCall], category: String?, input: String?,
        output: String?
    ) {
        self.timestamp = timestamp
        self.eventId = eventId
        self.version = version
        self.conversationId = conversationId
        self.taskId = taskId
        self.requestId = requestId
        self.outcome = outcome
        self.costUSD = costUSD
        self.latencyMs = latencyMs
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.steps = steps
        self.toolCalls = toolCalls
        self.category = category
        self.input = input
        self.output = output
    }
}

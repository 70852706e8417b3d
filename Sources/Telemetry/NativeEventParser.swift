import JSONLines
import Vocabulary

/// Parses native agent events (`schemas/agent-event.schema.json`), one JSON object per line.
///
/// Fields are read with ``JSONScanner`` in any order; unknown fields are skipped. Every error names the
/// file, the line and the field.
package struct NativeEventParser {
    let file: String

    /// A parser whose errors name `file`.
    package init(file: String) {
        self.file = file
    }

    /// Parses every non-blank line of `bytes`, calling `body` with the line number and the event.
    package func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, _ body: (Int, AgentEvent) throws(TelemetryError) -> Void
    ) throws(TelemetryError) {
        try JSONLinesReader.forEachLine(in: bytes) { (number, line) throws(TelemetryError) in
            try body(number, try event(line, line: number))
        }
    }

    /// Parses one line.
    package func event(_ text: UnsafeBufferPointer<UInt8>, line: Int) throws(TelemetryError) -> AgentEvent {
        var fields = EventFields(file: file, line: line, text: text)
        var scanner = JSONScanner(text)
        do {
            try fields.read(&scanner)
            try scanner.expectEnd()
        } catch let error as TelemetryError {
            throw error
        } catch let error as JSONParser.SyntaxError {
            throw .malformedEvent(
                file: file, line: line, field: "",
                reason: "not valid JSON at column \(error.offset + 1): \(error.reason)")
        } catch {
            throw .malformedEvent(file: file, line: line, field: "", reason: String(describing: error))
        }
        return try fields.build()
    }
}

/// The fields of one event line as they are scanned.
private struct EventFields {
    let file: String
    let line: Int
    let text: UnsafeBufferPointer<UInt8>
    var strings: [String: String] = [:]
    var numbers: [String: Double] = [:]
    var toolCalls: [ToolCall]?
    var proposedToolCalls: [ToolCall]?
    var content: [String: String] = [:]

    init(file: String, line: Int, text: UnsafeBufferPointer<UInt8>) {
        self.file = file
        self.line = line
        self.text = text
    }

    func fail(_ field: String, _ reason: String) -> TelemetryError {
        .malformedEvent(file: file, line: line, field: field, reason: reason)
    }

    static let stringFields: Set<String> = [
        "type", "ts", "event_id", "version", "conversation_id", "task_id", "request_id", "outcome", "category",
        "thumbs", "comment", "action", "severity", "policy", "trace_id", "span_id", "cost_source",
    ]
    static let numberFields: Set<String> = [
        "cost_usd", "latency_ms", "input_tokens", "output_tokens", "steps", "rating", "judge_score",
    ]

    mutating func read(_ scanner: inout JSONScanner) throws {
        guard scanner.peek() == UInt8(ascii: "{") else {
            throw fail("", "expected an object, found \(scanner.peekTypeDescription())")
        }
        try scanner.beginObject()
        while let key = try scanner.nextMember() {
            if try scanner.consumeNull() { continue }
            if Self.stringFields.contains(key) {
                guard scanner.peek() == UInt8(ascii: "\"") else {
                    throw fail(key, "expected a string, found \(scanner.peekTypeDescription())")
                }
                strings[key] = try scanner.string()
            } else if Self.numberFields.contains(key) {
                guard let byte = scanner.peek(), byte == UInt8(ascii: "-") || (byte >= 0x30 && byte <= 0x39) else {
                    throw fail(key, "expected a number, found \(scanner.peekTypeDescription())")
                }
                numbers[key] = try scanner.number()
            } else if key == "tool_calls" || key == "proposed_tool_calls" {
                let calls = try readToolCalls(&scanner, field: key)
                if key == "tool_calls" { toolCalls = calls } else { proposedToolCalls = calls }
            } else if key == "input" || key == "output" {
                if scanner.peek() == UInt8(ascii: "\"") {
                    content[key] = try scanner.string()
                } else {
                    let start = scanner.offset
                    try scanner.skipValue()
                    content[key] = String(
                        decoding: UnsafeBufferPointer(rebasing: text[start..<scanner.offset]), as: UTF8.self)
                }
            } else {
                try scanner.skipValue()
            }
        }
    }

    func readToolCalls(_ scanner: inout JSONScanner, field: String) throws -> [ToolCall] {
        guard scanner.peek() == UInt8(ascii: "[") else {
            throw fail(field, "expected an array, found \(scanner.peekTypeDescription())")
        }
        try scanner.beginArray()
        var calls: [ToolCall] = []
        while try scanner.nextElement() {
            guard scanner.peek() == UInt8(ascii: "{") else {
                throw fail("\(field)[\(calls.count)]", "expected an object, found \(scanner.peekTypeDescription())")
            }
            try scanner.beginObject()
            var name: String?
            var authorized: Bool?
            while let key = try scanner.nextMember() {
                switch key {
                case "name":
                    guard scanner.peek() == UInt8(ascii: "\"") else {
                        throw fail(
                            "\(field)[\(calls.count)].name", "expected a string, found \(scanner.peekTypeDescription())"
                        )
                    }
                    name = try scanner.string()
                case "authorized":
                    guard let byte = scanner.peek(), byte == UInt8(ascii: "t") || byte == UInt8(ascii: "f") else {
                        throw fail(
                            "\(field)[\(calls.count)].authorized",
                            "expected true or false, found \(scanner.peekTypeDescription())")
                    }
                    authorized = try scanner.bool()
                default:
                    try scanner.skipValue()
                }
            }
            guard let name else { throw fail("\(field)[\(calls.count)].name", "required field is missing") }
            calls.append(ToolCall(name: name, authorized: authorized))
        }
        return calls
    }

    func required(_ key: String) throws(TelemetryError) -> String {
        guard let value = strings[key], !value.isEmpty else { throw fail(key, "required field is missing") }
        return value
    }

    func build() throws(TelemetryError) -> AgentEvent {
        let type = try required("type")
        let tsText = try required("ts")
        guard let timestamp = Timestamp.parse(tsText) else {
            throw fail("ts", "'\(tsText)' is not an RFC 3339 timestamp such as 2026-11-26T15:02:07Z")
        }
        let eventId = try required("event_id")
        let version = try required("version")
        switch type {
        case "task":
            let outcomeText = try required("outcome")
            guard let outcome = TaskOutcome(rawValue: outcomeText) else {
                throw fail("outcome", "'\(outcomeText)' is not one of: success, failure, error, abandoned")
            }
            if let calls = toolCalls, let index = calls.firstIndex(where: { $0.authorized == nil }) {
                throw fail("tool_calls[\(index)].authorized", "required field is missing")
            }
            var task = TaskEvent(
                timestamp: timestamp, eventId: eventId, version: version,
                conversationId: try required("conversation_id"), taskId: try required("task_id"),
                requestId: strings["request_id"], outcome: outcome, costUSD: numbers["cost_usd"],
                latencyMs: numbers["latency_ms"], inputTokens: numbers["input_tokens"],
                outputTokens: numbers["output_tokens"], steps: numbers["steps"], toolCalls: toolCalls ?? [],
                category: strings["category"], input: content["input"], output: content["output"],
                judgeScore: numbers["judge_score"], traceId: strings["trace_id"], spanId: strings["span_id"])
            switch strings["cost_source"] {
            case nil, "reported": break
            case "price_table": task.costFromPrices = true
            case let other?: throw fail("cost_source", "'\(other)' is not one of: reported, price_table")
            }
            if let (fact, value) = task.invalidFact { throw fail(fact.nativeField, fact.refusal(value)) }
            return .task(task)
        case "feedback":
            let taskId = strings["task_id"]
            let conversationId = strings["conversation_id"]
            guard taskId != nil || conversationId != nil else {
                throw fail("task_id", "feedback names a task_id or a conversation_id")
            }
            var rating: Int?
            if let value = numbers["rating"] {
                guard value.rounded() == value, (1...5).contains(value) else {
                    throw fail("rating", "\(value) is not an integer from 1 to 5")
                }
                rating = Int(value)
            }
            var thumbsUp: Bool?
            if let thumbs = strings["thumbs"] {
                guard thumbs == "up" || thumbs == "down" else { throw fail("thumbs", "'\(thumbs)' is not up or down") }
                thumbsUp = thumbs == "up"
            }
            guard rating != nil || thumbsUp != nil else { throw fail("rating", "feedback needs a rating or thumbs") }
            return .feedback(
                FeedbackEvent(
                    timestamp: timestamp, eventId: eventId, version: version, taskId: taskId,
                    conversationId: conversationId, rating: rating, thumbsUp: thumbsUp, comment: strings["comment"]))
        case "violation":
            let severityText = try required("severity")
            guard let severity = ViolationSeverity(rawValue: severityText) else {
                throw fail("severity", "'\(severityText)' is not one of: critical, high, low")
            }
            return .violation(
                ViolationEvent(
                    timestamp: timestamp, eventId: eventId, version: version, taskId: try required("task_id"),
                    conversationId: try required("conversation_id"), action: try required("action"),
                    severity: severity, policy: strings["policy"]))
        case "shadow":
            guard let proposed = proposedToolCalls else {
                throw fail("proposed_tool_calls", "required field is missing")
            }
            return .shadow(
                ShadowEvent(
                    timestamp: timestamp, eventId: eventId, version: version, requestId: try required("request_id"),
                    conversationId: try required("conversation_id"), proposedToolCalls: proposed,
                    output: content["output"]))
        default:
            throw fail("type", "'\(type)' is not one of: task, feedback, violation, shadow")
        }
    }
}

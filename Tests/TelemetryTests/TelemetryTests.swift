import Foundation
import JSONLines
import Telemetry
import TestSupport
import Testing
import Vocabulary

@Suite("Native agent events")
struct TelemetryTests {
    func parse(_ text: String) throws -> [AgentEvent] {
        var events: [AgentEvent] = []
        let bytes = Array(text.utf8)
        try bytes.withUnsafeBufferPointer { buffer in
            try NativeEventParser(file: "events.jsonl").parse(buffer) { _, event in events.append(event) }
        }
        return events
    }

    /// Reference: Python 3.11 `datetime.fromisoformat(…).timestamp()`.
    @Test(
        "RFC 3339 timestamps",
        arguments: [
            ("2026-11-26T15:02:07Z", 1_795_705_327.0), ("2026-11-26T15:02:07.125Z", 1_795_705_327.125),
            ("1999-12-31T23:59:59+01:00", 946_681_199.0), ("2024-02-29T00:00:00-05:30", 1_709_184_600.0),
            ("1970-01-01T00:00:00Z", 0.0),
        ])
    func timestamps(text: String, expected: Double) {
        #expect(Timestamp.parse(text) == expected)
    }

    @Test(
        "timestamps that are not RFC 3339 are refused",
        arguments: ["2026-11-26", "2026-11-26T15:02:07", "yesterday", "2026-13-01T00:00:00Z"])
    func badTimestamps(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    /// Every event of the schema's example, as JSONL.
    @Test("the schema example parses into typed events")
    func example() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.path("schemas/examples/agent-events.json")))
        let array = try #require(try JSONSerialization.jsonObject(with: data) as? [Any])
        let lines = try array.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        let events = try parse(lines.joined(separator: "\n"))
        #expect(events.count == 4)
        guard case .task(let task) = events[0] else {
            Issue.record("the first event is a task")
            return
        }
        #expect(task.outcome == .success && task.toolCalls.filter { $0.authorized == false }.count == 1)
        #expect(task.timestamp == 1_795_705_327.125 && task.input == "Where is my refund?")
        #expect(task.output == #"{"text":"It was issued today."}"#)
        guard case .feedback(let feedback) = events[1], case .violation(let violation) = events[2],
            case .shadow(let shadow) = events[3]
        else {
            Issue.record("feedback, violation and shadow follow")
            return
        }
        #expect(feedback.thumbsUp == false && feedback.taskId == "task-7")
        #expect(violation.severity == .critical)
        #expect(shadow.proposedToolCalls == [ToolCall(name: "search_kb", authorized: nil)])
    }

    @Test(
        "bad events name the file, line and field",
        arguments: [
            (
                #"{"type":"task","ts":"2026-11-26T15:02:07Z","event_id":"e","version":"1","conversation_id":"c","task_id":"t","outcome":"done"}"#,
                TelemetryError.malformedEvent(
                    file: "events.jsonl", line: 2, field: "outcome",
                    reason: "'done' is not one of: success, failure, error, abandoned")
            ),
            (
                #"{"type":"task","ts":"now","event_id":"e","version":"1","conversation_id":"c","task_id":"t","outcome":"success"}"#,
                .malformedEvent(
                    file: "events.jsonl", line: 2, field: "ts",
                    reason: "'now' is not an RFC 3339 timestamp such as 2026-11-26T15:02:07Z")
            ),
            (
                #"{"type":"task","ts":"2026-11-26T15:02:07Z","event_id":"e","version":"1","conversation_id":"c","task_id":"t","outcome":"success","cost_usd":-1}"#,
                .malformedEvent(
                    file: "events.jsonl", line: 2, field: "cost_usd", reason: "-1.0 is out of range (0…1000000000)")
            ),
            (
                #"{"type":"feedback","ts":"2026-11-26T15:02:07Z","event_id":"e","version":"1","task_id":"t","rating":7}"#,
                .malformedEvent(
                    file: "events.jsonl", line: 2, field: "rating", reason: "7.0 is not an integer from 1 to 5")
            ),
            (
                #"{"type":"click","ts":"2026-11-26T15:02:07Z","event_id":"e","version":"1"}"#,
                .malformedEvent(
                    file: "events.jsonl", line: 2, field: "type",
                    reason: "'click' is not one of: task, feedback, violation, shadow")
            ),
            (
                #"{"type":"task","ts":"2026-11-26T15:02:07Z","event_id":"e","version":"1","conversation_id":"c","task_id":"t","outcome":"success","tool_calls":[{"name":"x"}]}"#,
                .malformedEvent(
                    file: "events.jsonl", line: 2, field: "tool_calls[0].authorized",
                    reason: "required field is missing")
            ),
            (
                #"{"type":"task","ts":"2026-11-26T15:02:07Z","event_id":"e""#,
                .malformedEvent(
                    file: "events.jsonl", line: 2, field: "",
                    reason: "not valid JSON at column 58: unexpected end of input")
            ),
        ])
    func badEvents(line: String, expected: TelemetryError) {
        let good =
            #"{"type":"violation","ts":"2026-11-26T15:02:07Z","event_id":"v","version":"1","task_id":"t","conversation_id":"c","action":"a","severity":"low"}"#
        #expect(throws: expected) { try parse(good + "\n" + line + "\n") }
    }
}

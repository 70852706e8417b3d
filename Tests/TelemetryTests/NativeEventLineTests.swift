import Foundation
import JSONLines
import Telemetry
import TestSupport
import Testing
import Vocabulary

/// What `monitor serve` stores of a complete trace — its events as native event lines — reads back as the same
/// events, on traces recorded from the real instrumentation libraries (`Tests/Fixtures/instrumentation`, whose
/// README says where each came from) and the schema's own example.
@Suite("Native event lines")
struct NativeEventLineTests {
    static let fixtures = "Tests/Fixtures/instrumentation"

    /// The events of every complete trace of a recorded OTLP/JSON file, as a look builds them.
    static func events(ofFixture name: String) throws -> [AgentEvent] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.path("\(fixtures)/\(name)")))
        var spans: [OTLPSpan] = []
        let parser = OTLPTraceParser(file: name)
        try data.withUnsafeBytes { raw in
            try JSONLinesReader.forEachLine(in: raw.bindMemory(to: UInt8.self)) { number, line in
                spans += try parser.spans(line, line: number)
            }
        }
        var options = OTLPOptions(
            successEvaluation: nil, authorizationAttribute: "agent_canary.tool.authorized",
            categoryAttribute: "agent_canary.task.category", prices: ["gpt-4o-mini": (0.15, 0.6)])
        options.approvalRequired = ["refund"]
        // The plain client's traces have no agent span: the application's span is the task
        // (`InstrumentedAgent.policy`).
        if name.hasPrefix("openai-") { options.taskSpan = "support_ticket" }
        let builder = OTLPTaskBuilder(options: options)
        let traces = Dictionary(grouping: spans, by: \.traceId)
        return traces.keys.sorted().flatMap { builder.tasks(spans: traces[$0] ?? []).all }
    }

    static func roundTrip(_ event: AgentEvent) throws -> AgentEvent {
        let line = event.nativeLine
        var read = try line.withUnsafeBufferPointer { try NativeEventParser(file: "line").event($0, line: 1) }
        // The line says the time to the microsecond; the ledger keeps the exact time beside it.
        #expect(abs(read.timestamp - event.timestamp) < 2e-6)
        read.timestamp = event.timestamp
        return read
    }

    @Test(
        "every event of a real library's traces reads back the same",
        arguments: try FileManager.default.contentsOfDirectory(atPath: Repository.path(fixtures))
            .filter { $0.hasSuffix(".jsonl") }.sorted())
    func fixtureEvents(name: String) throws {
        let events = try Self.events(ofFixture: name)
        #expect(!events.isEmpty, "\(name) gives events")
        for event in events {
            #expect(try Self.roundTrip(event) == event, "\(name): \(String(decoding: event.nativeLine, as: UTF8.self))")
        }
    }

    @Test("every field of every kind, with text that needs escapes and a priced cost")
    func everyField() throws {
        var task = TaskEvent(
            timestamp: 1_795_705_327.123456, eventId: "span:00f067aa0ba902b7", version: "1.5.0",
            conversationId: "c \"1\"", taskId: "t\n1", requestId: "r1", outcome: .error, costUSD: 0.0012,
            latencyMs: 1234.5, inputTokens: 100, outputTokens: 20, steps: 3,
            toolCalls: [ToolCall(name: "refund", authorized: false), ToolCall(name: "lookup", authorized: true)],
            category: "billing", input: "{\"a\":1}", output: "tab\there")
        task.judgeScore = 0.75
        task.traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
        task.spanId = "00f067aa0ba902b7"
        task.costFromPrices = true
        let events: [AgentEvent] = [
            .task(task),
            .feedback(
                FeedbackEvent(
                    timestamp: 1_795_705_400, eventId: "f1", version: "1.5.0", taskId: "t\n1", conversationId: nil,
                    rating: 4, thumbsUp: nil, comment: "ok")),
            .feedback(
                FeedbackEvent(
                    timestamp: 1_795_705_401, eventId: "f2", version: "1.5.0", taskId: nil, conversationId: "c",
                    rating: nil, thumbsUp: false, comment: nil)),
            .violation(
                ViolationEvent(
                    timestamp: 1_795_705_402.5, eventId: "span:1", version: "1.5.0", taskId: "t", conversationId: "c",
                    action: "refund", severity: .high, policy: "unauthorized tool call after the task's root")),
            .shadow(
                ShadowEvent(
                    timestamp: 1_795_705_403, eventId: "s1", version: "1.5.0", requestId: "r1", conversationId: "c",
                    proposedToolCalls: [ToolCall(name: "refund", authorized: nil)], output: "{\"b\":[1,2]}")),
        ]
        for event in events { #expect(try Self.roundTrip(event) == event) }
    }

    /// Reference: Python 3.11 `datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="microseconds")`.
    @Test(
        "RFC 3339 to the microsecond",
        arguments: [
            (1_795_705_327.125, "2026-11-26T15:02:07.125000Z"), (0.0, "1970-01-01T00:00:00.000000Z"),
            (951_782_400.000001, "2000-02-29T00:00:00.000001Z"), (-1.5, "1969-12-31T23:59:58.500000Z"),
        ])
    func timestamps(seconds: Double, expected: String) {
        #expect(Timestamp.rfc3339(seconds) == expected)
    }
}

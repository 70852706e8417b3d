import Analysis
import Foundation
import Telemetry
import TestSupport
import Testing

/// An OTLP file is read as a stream: a trace is read once the window has passed its opening span, and its spans
/// are forgotten. Read in 4 KiB chunks with a small window, files give the same events as read whole.
@Suite("OTLP files read as a stream")
struct OTLPStreamingTests {
    /// What `InstrumentedAgent.policy` sets for the fixture `name`: the evaluations and the approval list, and
    /// for the plain client's traces, the application's task span.
    static func options(for name: String) -> OTLPOptions {
        var options = OTLPOptions(
            successEvaluation: "task_success", authorizationAttribute: "agent_canary.tool.authorized",
            categoryAttribute: "agent_canary.task.category", prices: [:])
        options.judgeEvaluation = "helpfulness"
        options.satisfactionEvaluation = "user_rating"
        options.approvalRequired = ["refund"]
        if name.hasPrefix("openai-") { options.taskSpan = "support_ticket" }
        return options
    }

    static func read(_ path: String, chunk: Int? = nil, window: Int? = nil) throws -> (
        events: [AgentEvent], warnings: [String]
    ) {
        let name = URL(fileURLWithPath: path).lastPathComponent
        var reader = TelemetryReader(skipMalformed: false, otlp: options(for: name), incremental: false)
        if let chunk { reader.chunkSize = chunk }
        if let window { reader.otlpWindow = window }
        var events: [AgentEvent] = []
        _ = try reader.read(file: path, format: .otlp, cursor: nil) { event, _ in events.append(event) }
        return (events.sorted { $0.eventId < $1.eventId }, reader.warnings)
    }

    /// The real libraries' recorded traces (`Tests/Fixtures/instrumentation`, origin in its README).
    @Test(
        "the same events streamed as read whole",
        arguments: try FileManager.default.contentsOfDirectory(
            atPath: Repository.path("Tests/Fixtures/instrumentation")
        )
        .filter { $0.hasSuffix(".jsonl") }.sorted())
    func sameEvents(name: String) throws {
        let path = Repository.path("Tests/Fixtures/instrumentation/\(name)")
        let whole = try Self.read(path)
        let streamed = try Self.read(path, chunk: 4096, window: 4096)
        #expect(!whole.events.isEmpty)
        #expect(streamed.events == whole.events)
        #expect(streamed.warnings.isEmpty, "\(streamed.warnings)")
    }

    @Test("a span later than the window is not counted, and the look says so; within it, it is")
    func lateSpan() throws {
        let directory = try TemporaryDirectory()
        let source = Repository.path("Tests/Fixtures/instrumentation/agents-otel.jsonl")
        let lines = try String(contentsOfFile: source, encoding: .utf8).split(separator: "\n").map(String.init)
        // A tool call of the first trace whose opening span the file holds, unauthorized, written after every
        // other line.
        let spans = try lines.flatMap { line in
            var line = line
            return try line.withUTF8 { try OTLPTraceParser(file: "fixture").spans($0, line: 1) }
        }
        // Below the first agent span of a trace whose opening span the file holds.
        let opened = Set(spans.filter(\.opensTrace).map(\.traceId))
        let agent = spans.first { $0.role == .agent && opened.contains($0.traceId) }
        let root = try #require(agent)
        let late = """
            {"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"scope":{"name":"agent"},"spans":[\
            {"traceId":"\(root.traceId)","spanId":"00000000000000ff","parentSpanId":"\(root.spanId)",\
            "name":"execute_tool refund","kind":1,"startTimeUnixNano":"\(UInt64(root.startNanos) + 1)",\
            "endTimeUnixNano":"\(UInt64(root.startNanos) + 2)","attributes":[\
            {"key":"gen_ai.operation.name","value":{"stringValue":"execute_tool"}},\
            {"key":"agent_canary.tool.authorized","value":{"boolValue":false}}]}]}]}]}
            """
        let path = try directory.write("agents-otel.jsonl", (lines + [late]).joined(separator: "\n") + "\n")
        func unauthorized(_ events: [AgentEvent]) -> Int {
            events.reduce(0) { total, event in
                guard case .task(let task) = event else { return total }
                return total + task.toolCalls.filter { $0.authorized == false }.count
            }
        }
        let whole = try Self.read(path)
        let streamed = try Self.read(path, chunk: 1024, window: 1024)
        #expect(unauthorized(whole.events) == unauthorized(try Self.read(source).events) + 1)
        #expect(unauthorized(streamed.events) == unauthorized(try Self.read(source).events))
        #expect(streamed.warnings.contains { $0.hasPrefix("1 spans came more than 1024 bytes after") })
    }
}

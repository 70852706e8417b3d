import Foundation
import JSONLines
import OTLPMessages
import SwiftProtobuf
import Telemetry
import TestSupport
import Testing

/// OTLP/HTTP's two encodings of one trace give the same spans and the same task event: the protobuf body a
/// Python protobuf runtime serialized (`Tests/Fixtures/otlp-protobuf/make_request.py`) and the same request in
/// OTLP/JSON.
@Suite("OTLP protobuf bodies")
struct OTLPProtobufReaderTests {
    static let directory = "Tests/Fixtures/otlp-protobuf"

    static func task(_ spans: [OTLPSpan]) throws -> TaskEvent {
        let builder = OTLPTaskBuilder(
            options: OTLPOptions(
                successEvaluation: nil, authorizationAttribute: "agent_canary.authorized",
                categoryAttribute: "agent_canary.category", prices: ["model-a": (input: 3, output: 15)]))
        return try #require(builder.tasks(spans: spans).tasks.first)
    }

    @Test("protobuf and JSON of the same request make the same task")
    func sameTask() throws {
        let body = try Data(contentsOf: URL(fileURLWithPath: Repository.path("\(Self.directory)/invoke-agent.binpb")))
        let fromProtobuf = try OTLPProtobufReader(source: "invoke-agent.binpb").spans(body)
        var json = try Data(contentsOf: URL(fileURLWithPath: Repository.path("\(Self.directory)/invoke-agent.json")))
        if json.last == 0x0A { json.removeLast() }
        let fromJSON = try json.withUnsafeBytes { raw in
            try OTLPTraceParser(file: "invoke-agent.json").spans(raw.bindMemory(to: UInt8.self), line: 1)
        }
        #expect(fromProtobuf.map(\.traceId) == ["0123456789abcdef0123456789abcdef"])
        #expect(fromProtobuf.map(\.spanId) == fromJSON.map(\.spanId))
        #expect(fromProtobuf.map(\.statusCode) == fromJSON.map(\.statusCode))
        #expect(fromProtobuf.first?.attributes == fromJSON.first?.attributes)
        #expect(fromProtobuf.first?.resource == fromJSON.first?.resource)
        let task = try Self.task(fromProtobuf)
        #expect(task == (try Self.task(fromJSON)))
        #expect(task.version == "1.5.0")
    }

    @Test("a body that is not a request, or an id of the wrong length, is malformed and named")
    func refused() throws {
        #expect(throws: TelemetryError.self) { try OTLPProtobufReader(source: "body").spans(Data([0x0a, 0xff])) }
        var request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest()
        var span = Opentelemetry_Proto_Trace_V1_Span()
        span.traceID = Data(repeating: 1, count: 16)
        span.spanID = Data(repeating: 2, count: 7)
        var scope = Opentelemetry_Proto_Trace_V1_ScopeSpans()
        scope.spans = [span]
        var resource = Opentelemetry_Proto_Trace_V1_ResourceSpans()
        resource.scopeSpans = [scope]
        request.resourceSpans = [resource]
        do {
            _ = try OTLPProtobufReader(source: "body").spans(try request.serializedData())
            Issue.record("a 7-byte span id was accepted")
        } catch let error as TelemetryError {
            #expect(
                error
                    == TelemetryError.malformedEvent(
                        file: "body", line: 1, field: "resourceSpans[0].scopeSpans[0].spans[0].spanId",
                        reason: "7 bytes, not 8"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

import Foundation
import OTLPMessages
import SwiftProtobuf
import TestSupport
import Testing

/// The generated messages read what an independent encoder wrote and write it back byte for byte.
@Suite("OTLP trace messages")
struct OTLPMessagesTests {
    /// An `ExportTraceServiceRequest` serialized by Google's Python protobuf runtime 7.36 (classes generated
    /// by grpcio-tools' protoc 35.1 from the same opentelemetry-proto v1.11.0 files;
    /// `Tests/Fixtures/otlp-protobuf/make_request.py`): one resource (`service.name` support-agent,
    /// `service.version` 1.5.0), one scope (`agent`), one span (trace id 0123…cdef, span id 0123456789abcdef,
    /// `invoke_agent support`, internal, 1.5 s from 2026-11-26T00:00:00Z, `gen_ai.usage.input_tokens` 1200,
    /// `gen_ai.request.model` model-a, status OK).
    static func pythonRequest() throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: Repository.path("Tests/Fixtures/otlp-protobuf/invoke-agent.binpb")))
    }

    static func bytes(_ hex: String) -> Data {
        var data = Data()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            data.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return data
    }

    @Test("a request Python's protobuf wrote decodes to its fields and encodes to the same bytes")
    func pythonRequest() throws {
        let data = try Self.pythonRequest()
        let request = try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(serializedBytes: data)
        let resource = try #require(request.resourceSpans.first)
        #expect(resource.resource.attributes.map(\.key) == ["service.name", "service.version"])
        #expect(resource.resource.attributes.last?.value.stringValue == "1.5.0")
        let span = try #require(resource.scopeSpans.first?.spans.first)
        #expect(resource.scopeSpans.first?.scope.name == "agent")
        #expect(span.traceID == Self.bytes("0123456789abcdef0123456789abcdef"))
        #expect(span.spanID == Self.bytes("0123456789abcdef"))
        #expect(span.name == "invoke_agent support")
        #expect(span.kind == .internal)
        #expect(span.endTimeUnixNano - span.startTimeUnixNano == 1_500_000_000)
        #expect(span.attributes.first { $0.key == "gen_ai.usage.input_tokens" }?.value.intValue == 1200)
        #expect(span.status.code == .ok)
        #expect(try request.serializedData() == data)
    }

    @Test("bytes that are not a request are refused")
    func garbage() {
        #expect(throws: (any Error).self) {
            try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(serializedBytes: Data([0x0a, 0xff]))
        }
    }
}

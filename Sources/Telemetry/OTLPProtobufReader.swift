import Foundation
import JSONLines
import OTLPMessages
import SwiftProtobuf

/// Reads an OTLP/HTTP protobuf body (`ExportTraceServiceRequest`, `application/x-protobuf`) into the same
/// ``OTLPSpan``s the OTLP/JSON reader (``OTLPTraceParser``) makes, so both encodings of a trace become the same
/// task events.
package struct OTLPProtobufReader {
    /// What the errors name as the body (a request's path and number, say).
    let source: String

    /// A reader whose errors name `source`.
    package init(source: String) {
        self.source = source
    }

    /// The spans of a serialized request; a body that is not one, or an id of the wrong length, is malformed.
    package func spans(_ body: Data) throws(TelemetryError) -> [OTLPSpan] {
        try spans(body, rejecting: nil)
    }

    /// The spans of a serialized request; with `rejecting`, a span that is not valid goes to it (with why) and
    /// the others are kept (an OTLP receiver's partial success); a body that is not a request is malformed.
    package func spans(_ body: Data, rejecting: ((TelemetryError) -> Void)?) throws(TelemetryError) -> [OTLPSpan] {
        let request: Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
        do {
            request = try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(serializedBytes: body)
        } catch {
            throw fail("", "not an OTLP ExportTraceServiceRequest (\(error))")
        }
        var spans: [OTLPSpan] = []
        spans.reserveCapacity(
            request.resourceSpans.reduce(0) { $0 + $1.scopeSpans.reduce(0) { $0 + $1.spans.count } })
        for (r, resourceSpans) in request.resourceSpans.enumerated() {
            let resource = Self.attributes(resourceSpans.resource.attributes)
            for (s, scopeSpans) in resourceSpans.scopeSpans.enumerated() {
                for (i, span) in scopeSpans.spans.enumerated() {
                    do {
                        spans.append(
                            try self.span(span, resource: resource) {
                                "resourceSpans[\(r)].scopeSpans[\(s)].spans[\(i)]"
                            })
                    } catch {
                        guard let rejecting else { throw error }
                        rejecting(error)
                    }
                }
            }
        }
        return spans
    }

    /// The span; `path` (its place in the request, for an error) is built only when it is not valid.
    func span(_ span: Opentelemetry_Proto_Trace_V1_Span, resource: [String: JSONValue], path: () -> String)
        throws(TelemetryError) -> OTLPSpan
    {
        let traceId = try hex(span.traceID, bytes: 16, field: { "\(path()).traceId" }, required: true)
        let spanId = try hex(span.spanID, bytes: 8, field: { "\(path()).spanId" }, required: true)
        let parent = try hex(span.parentSpanID, bytes: 8, field: { "\(path()).parentSpanId" }, required: false)
        let status = span.status.code.rawValue
        guard (0...2).contains(status) else {
            throw fail("\(path()).status.code", "\(status) is not a status code (0, 1 or 2)")
        }
        var result = OTLPSpan(
            traceId: traceId, spanId: spanId, parentSpanId: parent, name: span.name,
            startNanos: Double(span.startTimeUnixNano), endNanos: Double(span.endTimeUnixNano),
            attributes: Self.attributes(span.attributes), resource: resource, statusCode: status,
            events: span.events.map { ($0.name, Self.attributes($0.attributes)) })
        result.parentIsRemote = OTLPSpan.parentIsRemote(flags: span.flags)
        return result
    }

    /// Attributes as the JSON reader keeps them: strings, numbers (integers and doubles), booleans and arrays of
    /// strings; other kinds (bytes, maps) are left out, as there.
    static func attributes(_ list: [Opentelemetry_Proto_Common_V1_KeyValue]) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for entry in list {
            switch entry.value.value {
            case .stringValue(let text)?: result[entry.key] = .string(text)
            case .intValue(let number)?: result[entry.key] = .number(Double(number))
            case .doubleValue(let number)?: result[entry.key] = .number(number)
            case .boolValue(let flag)?: result[entry.key] = .bool(flag)
            case .arrayValue(let array)?:
                result[entry.key] = .array(
                    array.values.compactMap {
                        if case .stringValue(let text)? = $0.value { return .string(text) }
                        return nil
                    })
            default: break
            }
        }
        return result
    }

    func hex(_ id: Data, bytes: Int, field: () -> String, required: Bool) throws(TelemetryError) -> String {
        if id.isEmpty, !required { return "" }
        guard id.count == bytes else {
            throw fail(field(), id.isEmpty ? "required field is missing" : "\(id.count) bytes, not \(bytes)")
        }
        return String(unsafeUninitializedCapacity: bytes * 2) { text in
            for (index, byte) in id.enumerated() {
                text[2 * index] = Self.hexDigit(byte >> 4)
                text[2 * index + 1] = Self.hexDigit(byte & 0x0F)
            }
            return bytes * 2
        }
    }

    /// The lowercase hex digit of a value below 16.
    @inline(__always)
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    func fail(_ field: String, _ reason: String) -> TelemetryError {
        .malformedEvent(file: source, line: 1, field: field, reason: reason)
    }
}

extension OTLPProtobufReader {
    /// The `partial_success.rejected_spans` of a serialized `ExportTraceServiceResponse` (0 when there is none).
    package static func rejectedSpans(in response: Data) -> Int {
        let decoded = try? Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse(serializedBytes: response)
        return decoded.map { Int($0.partialSuccess.rejectedSpans) } ?? 0
    }
}

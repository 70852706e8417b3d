import Foundation
import JSONLines
import OTLPMessages
import SwiftProtobuf

/// Writes spans as an OTLP/HTTP protobuf body (`ExportTraceServiceRequest`), the inverse of
/// ``OTLPProtobufReader``: what `agent-sim send` and the intake benchmark post, as an SDK's exporter would.
package enum OTLPProtobufWriter {
    /// The serialized request of `spans`, one `ResourceSpans` per distinct resource, in order of appearance.
    package static func request(_ spans: [OTLPSpan], scope: String = "agent-canary") -> Data {
        var request = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest()
        var resources: [[String: JSONValue]] = []
        var groups: [[Opentelemetry_Proto_Trace_V1_Span]] = []
        for span in spans {
            let index =
                resources.firstIndex(of: span.resource)
                ?? {
                    resources.append(span.resource)
                    groups.append([])
                    return resources.count - 1
                }()
            groups[index].append(message(span))
        }
        for (resource, spans) in zip(resources, groups) {
            var resourceSpans = Opentelemetry_Proto_Trace_V1_ResourceSpans()
            resourceSpans.resource.attributes = attributes(resource)
            var scopeSpans = Opentelemetry_Proto_Trace_V1_ScopeSpans()
            scopeSpans.scope.name = scope
            scopeSpans.spans = spans
            resourceSpans.scopeSpans = [scopeSpans]
            request.resourceSpans.append(resourceSpans)
        }
        return (try? request.serializedData()) ?? Data()
    }

    static func message(_ span: OTLPSpan) -> Opentelemetry_Proto_Trace_V1_Span {
        var message = Opentelemetry_Proto_Trace_V1_Span()
        message.traceID = bytes(hex: span.traceId)
        message.spanID = bytes(hex: span.spanId)
        message.parentSpanID = bytes(hex: span.parentSpanId)
        message.name = span.name
        message.kind = span.parentSpanId.isEmpty ? .server : .internal
        message.startTimeUnixNano = nanos(span.startNanos)
        message.endTimeUnixNano = nanos(span.endNanos)
        message.attributes = attributes(span.attributes)
        message.events = span.events.map { event in
            var message = Opentelemetry_Proto_Trace_V1_Span.Event()
            message.name = event.name
            message.timeUnixNano = nanos(span.endNanos)
            message.attributes = attributes(event.attributes)
            return message
        }
        message.status.code = Opentelemetry_Proto_Trace_V1_Status.StatusCode(rawValue: span.statusCode) ?? .unset
        return message
    }

    static func nanos(_ value: Double) -> UInt64 {
        value.isFinite && value >= 0 && value < 1.8e19 ? UInt64(value) : 0
    }

    /// Attributes as `KeyValue`s, sorted by key; numbers that are whole become `intValue`, others `doubleValue`.
    static func attributes(_ attributes: [String: JSONValue]) -> [Opentelemetry_Proto_Common_V1_KeyValue] {
        attributes.keys.sorted().compactMap { key in
            var any = Opentelemetry_Proto_Common_V1_AnyValue()
            switch attributes[key] {
            case .string(let text)?: any.stringValue = text
            case .bool(let flag)?: any.boolValue = flag
            case .number(let number)?:
                if number == number.rounded(), abs(number) < 9e15 {
                    any.intValue = Int64(number)
                } else {
                    any.doubleValue = number
                }
            case .array(let values)?:
                var array = Opentelemetry_Proto_Common_V1_ArrayValue()
                array.values = values.compactMap(\.stringValue).map { text in
                    var element = Opentelemetry_Proto_Common_V1_AnyValue()
                    element.stringValue = text
                    return element
                }
                any.arrayValue = array
            default: return nil
            }
            var pair = Opentelemetry_Proto_Common_V1_KeyValue()
            pair.key = key
            pair.value = any
            return pair
        }
    }

    /// The bytes of a hex id (empty for an empty one).
    static func bytes(hex: String) -> Data {
        var data = Data(capacity: hex.utf8.count / 2)
        var high: UInt8?
        for character in hex.utf8 {
            let digit: UInt8
            switch character {
            case 0x30...0x39: digit = character - 0x30
            case 0x61...0x66: digit = character - 0x61 + 10
            case 0x41...0x46: digit = character - 0x41 + 10
            default: continue
            }
            if let first = high {
                data.append(first << 4 | digit)
                high = nil
            } else {
                high = digit
            }
        }
        return data
    }
}

import JSONLines

extension OTLPSpan {
    /// The span, with its resource, as one OTLP/JSON `TracesData` line (no newline): what ``OTLPTraceParser``
    /// reads back into the same span, whichever encoding it arrived in. Numbers are written as `doubleValue`
    /// (the readers keep every number as a double), ids as lowercase hex, times as integer strings.
    package var tracesDataLine: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        bytes.appendRaw("{\"resourceSpans\":[{\"resource\":{\"attributes\":")
        Self.appendAttributes(resource, to: &bytes)
        bytes.appendRaw("},\"scopeSpans\":[{\"spans\":[{\"traceId\":")
        bytes.appendJSONString(traceId)
        bytes.appendRaw(",\"spanId\":")
        bytes.appendJSONString(spanId)
        if !parentSpanId.isEmpty {
            bytes.appendRaw(",\"parentSpanId\":")
            bytes.appendJSONString(parentSpanId)
        }
        bytes.appendRaw(",\"name\":")
        bytes.appendJSONString(name)
        bytes.appendRaw(",\"startTimeUnixNano\":")
        bytes.appendJSONString(Self.integerText(startNanos))
        bytes.appendRaw(",\"endTimeUnixNano\":")
        bytes.appendJSONString(Self.integerText(endNanos))
        bytes.appendRaw(",\"attributes\":")
        Self.appendAttributes(attributes, to: &bytes)
        if !events.isEmpty {
            bytes.appendRaw(",\"events\":[")
            for (index, event) in events.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.appendRaw("{\"name\":")
                bytes.appendJSONString(event.name)
                bytes.appendRaw(",\"attributes\":")
                Self.appendAttributes(event.attributes, to: &bytes)
                bytes.append(UInt8(ascii: "}"))
            }
            bytes.append(UInt8(ascii: "]"))
        }
        if parentIsRemote { bytes.appendRaw(",\"flags\":\(Self.remoteParentFlags)") }
        bytes.appendRaw(",\"status\":{\"code\":\(statusCode)}}]}]}]}")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A time in nanoseconds as the integer OTLP/JSON writes (as a string).
    static func integerText(_ nanos: Double) -> String {
        guard nanos.isFinite, nanos >= 0, nanos < 1.8e19 else { return "0" }
        return String(UInt64(nanos))
    }

    /// Attributes as an OTLP/JSON `KeyValue` list, sorted by key (the same span always gives the same line).
    static func appendAttributes(_ attributes: [String: JSONValue], to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) {
            switch value {
            case .string, .bool, .array: break
            case .number(let number) where number.isFinite: break
            default: continue
            }
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            bytes.appendRaw("{\"key\":")
            bytes.appendJSONString(key)
            bytes.appendRaw(",\"value\":")
            appendAnyValue(value, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Appends an `AnyValue` object of a value the readers keep (strings, finite numbers, booleans, arrays of
    /// strings).
    static func appendAnyValue(_ value: JSONValue, to bytes: inout [UInt8]) {
        switch value {
        case .string(let text):
            bytes.appendRaw("{\"stringValue\":")
            bytes.appendJSONString(text)
        case .number(let number):
            bytes.appendRaw("{\"doubleValue\":")
            bytes.appendJSONNumber(number)
        case .bool(let flag):
            bytes.appendRaw(flag ? "{\"boolValue\":true" : "{\"boolValue\":false")
        case .array(let values):
            bytes.appendRaw("{\"arrayValue\":{\"values\":[")
            for (index, text) in values.compactMap(\.stringValue).enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.appendRaw("{\"stringValue\":")
                bytes.appendJSONString(text)
                bytes.append(UInt8(ascii: "}"))
            }
            bytes.appendRaw("]}")
        case .null, .object:
            return
        }
        bytes.append(UInt8(ascii: "}"))
    }
}

import Foundation
import JSONLines

/// One span of an OTLP/JSON trace, with its attributes flattened.
package struct OTLPSpan: Sendable {
    package var traceId: String
    package var spanId: String
    package var parentSpanId: String
    package var name: String
    package var startNanos: Double
    package var endNanos: Double
    package var attributes: [String: JSONValue]
    package var resource: [String: JSONValue]
    package var statusCode: Int
    package var events: [(name: String, attributes: [String: JSONValue])]
    /// Whether the parent span is in another process (the OTLP span flags' is-remote bit): the span opens
    /// this process's part of the trace.
    package var parentIsRemote = false
    /// Whether this is no span but a log record's event for span `parentSpanId` (``OTLPLogRecords``).
    package var isAnnotation = false

    /// Makes a span.
    package init(
        traceId: String, spanId: String, parentSpanId: String, name: String, startNanos: Double, endNanos: Double,
        attributes: [String: JSONValue], resource: [String: JSONValue], statusCode: Int,
        events: [(name: String, attributes: [String: JSONValue])]
    ) {
        self.traceId = traceId
        self.spanId = spanId
        self.parentSpanId = parentSpanId
        self.name = name
        self.startNanos = startNanos
        self.endNanos = endNanos
        self.attributes = attributes
        self.resource = resource
        self.statusCode = statusCode
        self.events = events
    }

    /// `gen_ai.operation.name`, else the span name's first word.
    package var operation: String {
        if let name = attributes["gen_ai.operation.name"]?.stringValue { return name }
        return String(name.prefix { $0 != " " })
    }
}

/// Reads the OpenTelemetry collector's file exporter output (one `TracesData` per line, OTLP/JSON: hex ids,
/// integer enums, 64-bit integers as strings) and turns GenAI agent traces into task events.
///
/// A task is a root `invoke_agent` or `invoke_workflow` span; its trace's `execute_tool` spans are its tool
/// calls and its inference spans its steps. Spans of one trace may be spread over several lines.
package struct OTLPTraceParser {
    let file: String

    /// A parser whose errors name `file`.
    package init(file: String) {
        self.file = file
    }

    /// Parses one line into spans.
    package func spans(_ text: UnsafeBufferPointer<UInt8>, line: Int) throws(TelemetryError) -> [OTLPSpan] {
        try spans(text, line: line, rejecting: nil)
    }

    /// Parses one line into spans; with `rejecting`, a span that is not valid goes to it (with why) and the
    /// others are kept, as an OTLP receiver's partial success does; without, it fails the line.
    package func spans(
        _ text: UnsafeBufferPointer<UInt8>, line: Int, rejecting: ((TelemetryError) -> Void)?
    ) throws(TelemetryError) -> [OTLPSpan] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw fail(line, "", "not valid JSON at column \(error.offset + 1): \(error.reason)")
        }
        guard let root = value.objectValue else { throw fail(line, "", "expected a TracesData object") }
        try refuseSnakeCase(root, line: line, path: "")
        // The collector's file exporter writes the logs pipeline's LogsData lines beside the traces'.
        if root["resourceSpans"] == nil, root["resourceLogs"] != nil {
            return try annotations(root, line: line, rejecting: rejecting).annotations
        }
        guard let resourceSpans = root["resourceSpans"]?.arrayValue else {
            throw fail(line, "resourceSpans", "required field is missing (expected OTLP/JSON TracesData)")
        }
        var spans: [OTLPSpan] = []
        for (r, resourceSpan) in resourceSpans.enumerated() {
            let resourcePath = "resourceSpans[\(r)]"
            try refuseSnakeCase(resourceSpan.objectValue ?? [:], line: line, path: resourcePath)
            let resource = try attributes(
                resourceSpan["resource"]?["attributes"], line: line, path: "\(resourcePath).resource.attributes")
            for (s, scopeSpan) in (resourceSpan["scopeSpans"]?.arrayValue ?? []).enumerated() {
                try refuseSnakeCase(scopeSpan.objectValue ?? [:], line: line, path: "\(resourcePath).scopeSpans[\(s)]")
                for (i, span) in (scopeSpan["spans"]?.arrayValue ?? []).enumerated() {
                    let path = "\(resourcePath).scopeSpans[\(s)].spans[\(i)]"
                    do {
                        spans.append(try parseSpan(span, resource: resource, line: line, path: path))
                    } catch {
                        guard let rejecting else { throw error }
                        rejecting(error)
                    }
                }
            }
        }
        return spans
    }

    func parseSpan(_ span: JSONValue, resource: [String: JSONValue], line: Int, path: String) throws(TelemetryError)
        -> OTLPSpan
    {
        guard let object = span.objectValue else { throw fail(line, path, "expected a span object") }
        try refuseSnakeCase(object, line: line, path: path)
        let traceId = try hexId(object["traceId"], digits: 32, line: line, field: "\(path).traceId", required: true)
        let spanId = try hexId(object["spanId"], digits: 16, line: line, field: "\(path).spanId", required: true)
        let parent = try hexId(
            object["parentSpanId"], digits: 16, line: line, field: "\(path).parentSpanId", required: false)
        let start = try nanos(object["startTimeUnixNano"], line: line, field: "\(path).startTimeUnixNano")
        let end = try nanos(object["endTimeUnixNano"], line: line, field: "\(path).endTimeUnixNano")
        var statusCode = 0
        if let code = object["status"]?["code"] {
            guard let number = code.numberValue else {
                throw fail(
                    line, "\(path).status.code", "expected an integer enum (0, 1 or 2), found \(code.typeDescription)")
            }
            guard let status = Int(exactly: number), (0...2).contains(status) else {
                throw fail(line, "\(path).status.code", "\(number) is not a status code (0, 1 or 2)")
            }
            statusCode = status
        }
        var events: [(name: String, attributes: [String: JSONValue])] = []
        for (e, event) in (object["events"]?.arrayValue ?? []).enumerated() {
            let eventAttributes = try attributes(
                event["attributes"], line: line, path: "\(path).events[\(e)].attributes")
            events.append((event["name"]?.stringValue ?? "", eventAttributes))
        }
        var span = OTLPSpan(
            traceId: traceId, spanId: spanId, parentSpanId: parent, name: object["name"]?.stringValue ?? "",
            startNanos: start, endNanos: end,
            attributes: try attributes(object["attributes"], line: line, path: "\(path).attributes"),
            resource: resource, statusCode: statusCode, events: events)
        if let flags = object["flags"]?.numberValue, let bits = UInt32(exactly: flags) {
            span.parentIsRemote = OTLPSpan.parentIsRemote(flags: bits)
        }
        return span
    }

    /// OTLP/JSON's keys are lowerCamelCase; the protobuf names (`resource_spans`) mean a wrong encoder.
    func refuseSnakeCase(_ object: [String: JSONValue], line: Int, path: String) throws(TelemetryError) {
        for key in object.keys.sorted() where key.contains("_") {
            let camel = key.split(separator: "_").enumerated().map { $0 == 0 ? String($1) : $1.capitalized }.joined()
            throw fail(
                line, path.isEmpty ? key : "\(path).\(key)",
                "OTLP/JSON uses lowerCamelCase field names ('\(camel)'), not the protobuf names")
        }
    }

    func hexId(_ value: JSONValue?, digits: Int, line: Int, field: String, required: Bool) throws(TelemetryError)
        -> String
    {
        guard let value, value != .null else {
            if required { throw fail(line, field, "required field is missing") }
            return ""
        }
        guard let text = value.stringValue else { throw fail(line, field, "expected a hex string") }
        if text.isEmpty, !required { return "" }
        guard text.utf8.count == digits,
            text.utf8.allSatisfy({
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46)
            })
        else {
            throw fail(
                line, field,
                "'\(text)' is not \(digits) hex digits (OTLP/JSON writes trace and span ids as hex, not base64)")
        }
        return text.lowercased()
    }

    func nanos(_ value: JSONValue?, line: Int, field: String) throws(TelemetryError) -> Double {
        switch value {
        case .string(let text)?:
            guard let number = Double(text), number >= 0 else { throw fail(line, field, "'\(text)' is not an integer") }
            return number
        case .number(let number)?:
            return number
        case nil:
            throw fail(line, field, "required field is missing")
        default:
            throw fail(line, field, "expected an integer as a string")
        }
    }

    func attributes(_ value: JSONValue?, line: Int, path: String) throws(TelemetryError) -> [String: JSONValue] {
        guard let list = value?.arrayValue else { return [:] }
        var result: [String: JSONValue] = [:]
        for (index, entry) in list.enumerated() {
            guard let key = entry["key"]?.stringValue else {
                throw fail(line, "\(path)[\(index)].key", "required field is missing")
            }
            guard let any = entry["value"]?.objectValue else { continue }
            if let text = any["stringValue"]?.stringValue {
                result[key] = .string(text)
            } else if let int = any["intValue"] {
                switch int {
                case .string(let text):
                    guard let number = Double(text) else {
                        throw fail(line, "\(path)[\(index)].value.intValue", "'\(text)' is not an integer")
                    }
                    result[key] = .number(number)
                case .number(let number): result[key] = .number(number)
                default: throw fail(line, "\(path)[\(index)].value.intValue", "expected an integer as a string")
                }
            } else if let double = any["doubleValue"] {
                if let number = double.numberValue {
                    result[key] = .number(number)
                } else if let text = double.stringValue, let number = Double(text) {
                    result[key] = .number(number)
                }
            } else if case .bool(let flag)? = any["boolValue"] {
                result[key] = .bool(flag)
            } else if let array = any["arrayValue"]?["values"]?.arrayValue {
                result[key] = .array(array.compactMap { $0["stringValue"] })
            }
        }
        return result
    }

    func fail(_ line: Int, _ field: String, _ reason: String) -> TelemetryError {
        .malformedEvent(file: file, line: line, field: field, reason: reason)
    }
}

import Foundation
import JSONLines
import OTLPMessages
import SwiftProtobuf

/// OTLP log records that carry a task's outcome signals: the GenAI events that OTEP 4430 moved from span
/// events to log records (`gen_ai.evaluation.result`, a guardrail's result), each joined to its task by its
/// trace and span id.
///
/// A kept record becomes an *annotation*: an ``OTLPSpan`` with ``OTLPSpan/isAnnotation`` set whose one event is
/// the record (its event name and attributes), whose `parentSpanId` is the span the record names and whose
/// `spanId` is a digest of the record. A trace's tasks read an annotation's event as an event of the span it
/// names, whether the record arrived before or after the span.
package enum OTLPLogRecords {
    /// The event names kept; other log records are acknowledged and dropped.
    static let keptEvents: Set<String> = ["gen_ai.evaluation.result", "gen_ai.guardrail.result"]

    /// Whether a record with `eventName` and `attributes` is an outcome signal a task can use.
    static func isKept(eventName: String, attributes: [String: JSONValue]) -> Bool {
        keptEvents.contains(eventName)
            || DialectNames.guardrailTriggered.contains { attributes[$0] != nil }
    }

    /// The record's event name: the `event_name` field, else the `event.name` attribute older SDKs set.
    static func eventName(field: String, attributes: [String: JSONValue]) -> String {
        field.isEmpty ? attributes["event.name"]?.stringValue ?? "" : field
    }

    /// The annotation of a kept record.
    static func annotation(
        traceId: String, spanId: String, eventName: String, timeNanos: Double, attributes: [String: JSONValue],
        resource: [String: JSONValue]
    ) -> OTLPSpan {
        var span = OTLPSpan(
            traceId: traceId, spanId: "", parentSpanId: spanId, name: eventName, startNanos: timeNanos,
            endNanos: timeNanos, attributes: [:], resource: resource, statusCode: 0,
            events: [(eventName, attributes)])
        span.isAnnotation = true
        // The same record sent twice has the same id, so the intake keeps it once.
        span.spanId = String(format: "%016llx", stableHash(span.logsDataLine))
        return span
    }

    /// The annotations of an `ExportLogsServiceRequest` and how many records were dropped as not used; a
    /// record without a trace id goes to `rejecting` (it cannot be joined to a task), or fails the body.
    package static func annotations(
        protobuf body: Data, source: String, rejecting: ((TelemetryError) -> Void)?
    ) throws(TelemetryError) -> (annotations: [OTLPSpan], dropped: Int) {
        let request: Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest
        do {
            request = try Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest(serializedBytes: body)
        } catch {
            throw .malformedEvent(
                file: source, line: 1, field: "", reason: "not an OTLP ExportLogsServiceRequest (\(error))")
        }
        let reader = OTLPProtobufReader(source: source)
        var annotations: [OTLPSpan] = []
        var dropped = 0
        for (r, resourceLogs) in request.resourceLogs.enumerated() {
            let resource = OTLPProtobufReader.attributes(resourceLogs.resource.attributes)
            for (s, scopeLogs) in resourceLogs.scopeLogs.enumerated() {
                for (i, record) in scopeLogs.logRecords.enumerated() {
                    let attributes = OTLPProtobufReader.attributes(record.attributes)
                    let name = eventName(field: record.eventName, attributes: attributes)
                    guard isKept(eventName: name, attributes: attributes) else {
                        dropped += 1
                        continue
                    }
                    let path = "resourceLogs[\(r)].scopeLogs[\(s)].logRecords[\(i)]"
                    do throws(TelemetryError) {
                        let traceId = try reader.hex(
                            record.traceID, bytes: 16, field: { "\(path).traceId" }, required: true)
                        let spanId = try reader.hex(
                            record.spanID, bytes: 8, field: { "\(path).spanId" }, required: false)
                        let time = record.timeUnixNano != 0 ? record.timeUnixNano : record.observedTimeUnixNano
                        annotations.append(
                            annotation(
                                traceId: traceId, spanId: spanId, eventName: name, timeNanos: Double(time),
                                attributes: attributes, resource: resource))
                    } catch {
                        guard let rejecting else { throw error }
                        rejecting(error)
                    }
                }
            }
        }
        return (annotations, dropped)
    }
}

extension OTLPTraceParser {
    /// The annotations of an OTLP/JSON `LogsData` body (a `/v1/logs` request) and how many records were dropped
    /// as not used.
    package func annotations(_ text: UnsafeBufferPointer<UInt8>, rejecting: ((TelemetryError) -> Void)?)
        throws(TelemetryError) -> (annotations: [OTLPSpan], dropped: Int)
    {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw fail(1, "", "not valid JSON at column \(error.offset + 1): \(error.reason)")
        }
        guard let root = value.objectValue else { throw fail(1, "", "expected a LogsData object") }
        try refuseSnakeCase(root, line: 1, path: "")
        return try annotations(root, line: 1, rejecting: rejecting)
    }

    /// The annotations of an OTLP/JSON `LogsData` object (a line of the collector's file exporter or a
    /// `/v1/logs` JSON body) and how many records were dropped as not used.
    func annotations(
        _ root: [String: JSONValue], line: Int, rejecting: ((TelemetryError) -> Void)?
    ) throws(TelemetryError) -> (annotations: [OTLPSpan], dropped: Int) {
        guard let resourceLogs = root["resourceLogs"]?.arrayValue else {
            throw fail(line, "resourceLogs", "required field is missing (expected OTLP/JSON LogsData)")
        }
        var annotations: [OTLPSpan] = []
        var dropped = 0
        for (r, entry) in resourceLogs.enumerated() {
            let resourcePath = "resourceLogs[\(r)]"
            try refuseSnakeCase(entry.objectValue ?? [:], line: line, path: resourcePath)
            let resource = try attributes(
                entry["resource"]?["attributes"], line: line, path: "\(resourcePath).resource.attributes")
            for (s, scopeLogs) in (entry["scopeLogs"]?.arrayValue ?? []).enumerated() {
                for (i, record) in (scopeLogs["logRecords"]?.arrayValue ?? []).enumerated() {
                    let path = "\(resourcePath).scopeLogs[\(s)].logRecords[\(i)]"
                    do throws(TelemetryError) {
                        guard let object = record.objectValue else { throw fail(line, path, "expected a log record") }
                        try refuseSnakeCase(object, line: line, path: path)
                        let recordAttributes = try attributes(
                            object["attributes"], line: line, path: "\(path).attributes")
                        let name = OTLPLogRecords.eventName(
                            field: object["eventName"]?.stringValue ?? "", attributes: recordAttributes)
                        guard OTLPLogRecords.isKept(eventName: name, attributes: recordAttributes) else {
                            dropped += 1
                            continue
                        }
                        let traceId = try hexId(
                            object["traceId"], digits: 32, line: line, field: "\(path).traceId", required: true)
                        let spanId = try hexId(
                            object["spanId"], digits: 16, line: line, field: "\(path).spanId", required: false)
                        var time = 0.0
                        for field in ["timeUnixNano", "observedTimeUnixNano"] where time == 0 {
                            if object[field] != nil {
                                time = try nanos(object[field], line: line, field: "\(path).\(field)")
                            }
                        }
                        annotations.append(
                            OTLPLogRecords.annotation(
                                traceId: traceId, spanId: spanId, eventName: name, timeNanos: time,
                                attributes: recordAttributes, resource: resource))
                    } catch {
                        guard let rejecting else { throw error }
                        rejecting(error)
                    }
                }
            }
        }
        return (annotations, dropped)
    }
}

extension OTLPSpan {
    /// An annotation as one OTLP/JSON `LogsData` line (no newline), as ``OTLPTraceParser`` reads it back:
    /// numbers as `doubleValue`, ids as lowercase hex, the time as an integer string.
    package var logsDataLine: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        bytes.appendRaw("{\"resourceLogs\":[{\"resource\":{\"attributes\":")
        Self.appendAttributes(resource, to: &bytes)
        bytes.appendRaw("},\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":")
        bytes.appendJSONString(Self.integerText(startNanos))
        bytes.appendRaw(",\"traceId\":")
        bytes.appendJSONString(traceId)
        if !parentSpanId.isEmpty {
            bytes.appendRaw(",\"spanId\":")
            bytes.appendJSONString(parentSpanId)
        }
        bytes.appendRaw(",\"eventName\":")
        bytes.appendJSONString(events.first?.name ?? name)
        bytes.appendRaw(",\"attributes\":")
        Self.appendAttributes(events.first?.attributes ?? [:], to: &bytes)
        bytes.appendRaw("}]}]}]}")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The line the intake stores for the span or annotation.
    package var storedLine: String {
        isAnnotation ? logsDataLine : tracesDataLine
    }
}

import Foundation
import JSONLines
import RunLedger
import Telemetry

/// Why a request was refused as a whole, with the HTTP status OTLP/HTTP gives it.
enum IntakeRefusal: Error, Equatable {
    /// 400: the body is not what its content type says.
    case badRequest(String)
    /// 413: the body, or what it decompresses to, is over `--max-body-bytes`.
    case tooLarge(String)
    /// 415: a content type or encoding the endpoint does not take.
    case unsupportedMedia(String)

    var message: String {
        switch self {
        case .badRequest(let text), .tooLarge(let text), .unsupportedMedia(let text): text
        }
    }
}

/// The encodings `POST /v1/traces` takes.
enum TraceEncoding: String, Sendable {
    case protobuf
    case json

    /// The encoding of a `Content-Type` (parameters such as `charset` ignored), or `nil` for another type.
    init?(contentType: String?) {
        switch IntakeDecoder.mediaType(of: contentType) {
        case "application/x-protobuf", "application/protobuf": self = .protobuf
        case "application/json": self = .json
        default: return nil
        }
    }

    var contentType: String {
        switch self {
        case .protobuf: "application/x-protobuf"
        case .json: "application/json"
        }
    }
}

/// Turns request bodies into ``IntakeBatch``es: OTLP traces (protobuf or JSON) and native events (JSONL).
struct IntakeDecoder: Sendable {
    /// The agent of spans whose resource names no `service.name`, and of events whose request names none.
    let defaultAgent: String
    /// The longest body taken, before and after decompression.
    let maxBodyBytes: Int
    /// How spans become tasks (for the live metrics; a look builds its own).
    let options: OTLPOptions

    /// The media type of a `Content-Type` header, lowercased, without its parameters (such as `charset`).
    static func mediaType(of contentType: String?) -> String {
        let type = (contentType ?? "").split(separator: ";", maxSplits: 1).first ?? ""
        return type.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// The body as sent, decompressed when `Content-Encoding` says gzip.
    func decoded(_ body: Data, contentEncoding: String?) throws(IntakeRefusal) -> Data {
        let encoding = (contentEncoding ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        switch encoding {
        case "", "identity":
            return body
        case "gzip", "x-gzip":
            do {
                return try Gzip.inflate(body, limit: maxBodyBytes)
            } catch {
                switch error {
                case .tooLarge(let limit):
                    throw .tooLarge(
                        "the body decompresses to more than \(limit) bytes (monitor serve --max-body-bytes)")
                case .corrupt(let reason):
                    throw .badRequest("the body is not valid gzip: \(reason)")
                }
            }
        default:
            throw .unsupportedMedia("Content-Encoding '\(encoding)' is not supported (send gzip or none)")
        }
    }

    /// The spans of an OTLP/HTTP trace export.
    func traces(_ body: Data, encoding: TraceEncoding) throws(IntakeRefusal) -> IntakeBatch {
        var batch = IntakeBatch()
        var spans: [OTLPSpan]
        do {
            switch encoding {
            case .protobuf:
                spans = try OTLPProtobufReader(source: "request").spans(body) { batch.reject("malformed", $0) }
            case .json:
                spans = try body.withUnsafeBytes { raw throws(TelemetryError) in
                    try OTLPTraceParser(file: "request").spans(
                        raw.bindMemory(to: UInt8.self), line: 1, rejecting: { batch.reject("malformed", $0) })
                }
            }
        } catch let error as TelemetryError {
            throw .badRequest(error.description)
        } catch {
            throw .badRequest(String(describing: error))
        }
        let builder = OTLPTaskBuilder(options: options)
        // The request's spans of each trace, by their place in `spans` (a root's task reads its trace's).
        var byTrace: [String: [Int]] = [:]
        byTrace.reserveCapacity(spans.count)
        for (index, span) in spans.enumerated() { byTrace[span.traceId, default: []].append(index) }
        // One admission rule: a trace is refused whole (in partial_success, never stored) when a look would
        // refuse it, by a span's own facts or, for a trace that completes here, by the tasks it gives.
        var refused: [String: TelemetryError] = [:]
        var traced: [String: TraceTasks] = [:]
        for (trace, members) in byTrace {
            for index in members {
                if let (field, reason) = builder.refusal(of: spans[index]) {
                    refused[trace] = .malformedEvent(
                        file: "request", line: 1, field: field, reason: "span \(spans[index].spanId): \(reason)")
                    break
                }
            }
            guard refused[trace] == nil, members.contains(where: { spans[$0].opensTrace }) else { continue }
            do {
                traced[trace] = try builder.checkedTasks(
                    spans: members.map { spans[$0] }, file: "request", line: 1)
            } catch {
                refused[trace] = error
            }
        }
        batch.records.reserveCapacity(spans.count)
        var judged = Set<String>()
        for span in spans {
            if let error = refused[span.traceId] {
                batch.reject("invalid", error)
                continue
            }
            let agent = span.resource["service.name"]?.stringValue ?? defaultAgent
            let opens = span.opensTrace
            if opens {
                // The live task, from the request's spans of the trace. A trace that gives none (no task span, no
                // version) is kept, counted and logged: a look reads every span of the trace, which may name
                // what this request's part does not, and reports it by reason if it still gives none.
                if judged.insert(span.traceId).inserted, let tasks = traced[span.traceId] {
                    if let reason = tasks.unusable {
                        batch.noteUnusable(
                            reason, trace: span.traceId, agent: agent, spans: byTrace[span.traceId]?.count ?? 0)
                    }
                    for event in tasks.all {
                        switch event {
                        case .task, .violation:
                            batch.facts.append(.init(agent: agent, record: batch.records.count, event: event))
                        case .feedback, .shadow: break
                        }
                    }
                }
            } else if traced[span.traceId] == nil {
                if builder.unauthorizedTool(span) != nil {
                    batch.rogueCalls.append((batch.records.count, span.traceId))
                }
                if builder.mayBeTaskSpan(span) { batch.taskSpanTraces.insert(span.traceId) }
            }
            batch.records.append(
                IntakeRecord(
                    key: "span:\(span.traceId):\(span.spanId)", kind: .span, agent: agent, traceId: span.traceId,
                    isRoot: opens, timestamp: span.endNanos / 1e9, body: span.tracesDataLine))
        }
        return batch
    }

    /// The outcome signals of an OTLP/HTTP logs export: each `gen_ai.evaluation.result` (or guardrail) log
    /// record becomes a record of its trace, which a look joins to the task of the span it names, whenever it
    /// arrives; other log records are acknowledged and dropped (counted in `dropped`).
    func logs(_ body: Data, encoding: TraceEncoding) throws(IntakeRefusal) -> IntakeBatch {
        var batch = IntakeBatch()
        let annotations: [OTLPSpan]
        do {
            switch encoding {
            case .protobuf:
                (annotations, batch.dropped) = try OTLPLogRecords.annotations(
                    protobuf: body, source: "request", rejecting: { batch.reject("malformed", $0) })
            case .json:
                (annotations, batch.dropped) = try body.withUnsafeBytes { raw throws(TelemetryError) in
                    try OTLPTraceParser(file: "request").annotations(
                        raw.bindMemory(to: UInt8.self), rejecting: { batch.reject("malformed", $0) })
                }
            }
        } catch let error as TelemetryError {
            throw .badRequest(error.description)
        } catch {
            throw .badRequest(String(describing: error))
        }
        let builder = OTLPTaskBuilder(options: options)
        for annotation in annotations {
            if let (field, reason) = builder.refusal(of: annotation) {
                batch.reject("invalid", .malformedEvent(file: "request", line: 1, field: field, reason: reason))
                continue
            }
            batch.records.append(
                IntakeRecord(
                    key: "log:\(annotation.traceId):\(annotation.spanId)", kind: .span,
                    agent: annotation.resource["service.name"]?.stringValue ?? defaultAgent,
                    traceId: annotation.traceId, isRoot: false, timestamp: annotation.endNanos / 1e9,
                    body: annotation.logsDataLine))
        }
        return batch
    }

    /// The native events of a JSONL body (one event per line, blank lines allowed); a line that is not an
    /// event is rejected and the others kept.
    func events(_ body: Data, agent: String) -> IntakeBatch {
        var batch = IntakeBatch()
        let parser = NativeEventParser(file: "request")
        body.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            JSONLinesReader.forEachLine(in: bytes) {
                (number: Int, line: UnsafeBufferPointer<UInt8>) throws(Never) -> Void in
                do throws(TelemetryError) {
                    let event = try parser.event(line, line: number)
                    switch event {
                    case .task, .violation:
                        batch.facts.append(.init(agent: agent, record: batch.records.count, event: event))
                    case .feedback, .shadow: break
                    }
                    batch.records.append(
                        IntakeRecord(
                            key: "event:\(agent):\(event.eventId)", kind: .event, agent: agent, traceId: nil,
                            isRoot: false, timestamp: event.timestamp,
                            body: String(decoding: line, as: UTF8.self)))
                } catch {
                    batch.reject("malformed", error)
                }
            }
        }
        return batch
    }
}

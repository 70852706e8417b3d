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
    /// How spans become tasks (the policy's `monitor.otlp` and `monitor.prices`).
    let options: OTLPOptions
    /// Prepares the traces a request brings whole.
    var assembler: IntakeAssembler { IntakeAssembler(options: options) }

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
        let assembler = self.assembler
        // The request's spans of each trace, in the order of each trace's first span.
        var order: [String] = []
        var byTrace: [String: [OTLPSpan]] = [:]
        byTrace.reserveCapacity(spans.count)
        for span in spans {
            if byTrace[span.traceId] == nil { order.append(span.traceId) }
            byTrace[span.traceId, default: []].append(span)
        }
        spans = []
        // One admission rule: a trace is refused whole (in partial_success, never stored) when a look would
        // refuse it, by a span's own facts or, for a trace that completes here, by the tasks it gives.
        batch.traces.reserveCapacity(order.count)
        for trace in order {
            let members = byTrace[trace] ?? []
            var refusal: TelemetryError?
            for span in members {
                if let (field, reason) = builder.refusal(of: span) {
                    refusal = .malformedEvent(
                        file: "request", line: 1, field: field, reason: "span \(span.spanId): \(reason)")
                    break
                }
            }
            var tasks: TraceTasks?
            if refusal == nil, members.contains(where: \.opensTrace) {
                do {
                    tasks = try builder.checkedTasks(spans: members, file: "request", line: 1)
                } catch {
                    refusal = error
                }
            }
            if let refusal {
                for _ in members { batch.reject("invalid", refusal) }
                continue
            }
            let agent =
                members.first { $0.opensTrace }?.resource["service.name"]?.stringValue
                ?? members[0].resource["service.name"]?.stringValue ?? defaultAgent
            // The trace's events and summary, made here on the request's thread: the commit only stores them.
            let built = tasks.map { assembler.prepare(trace, agent: agent, spans: members, tasks: $0) }
            batch.traces.append(.init(traceId: trace, agent: agent, spans: members, built: built))
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
        var places: [String: Int] = [:]
        for annotation in annotations {
            if let (field, reason) = builder.refusal(of: annotation) {
                batch.reject("invalid", .malformedEvent(file: "request", line: 1, field: field, reason: reason))
                continue
            }
            if let place = places[annotation.traceId] {
                batch.traces[place].spans.append(annotation)
            } else {
                places[annotation.traceId] = batch.traces.count
                batch.traces.append(
                    .init(
                        traceId: annotation.traceId,
                        agent: annotation.resource["service.name"]?.stringValue ?? defaultAgent, spans: [annotation],
                        built: nil))
            }
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
                    batch.events.append(
                        IntakeRecord(
                            key: "event:\(agent):\(event.eventId)", agent: agent, traceId: nil,
                            timestamp: event.timestamp, body: String(decoding: line, as: UTF8.self)))
                    batch.parsed.append(event)
                } catch {
                    batch.reject("malformed", error)
                }
            }
        }
        return batch
    }
}

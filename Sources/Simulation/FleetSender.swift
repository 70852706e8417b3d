import Foundation
import HTTPRequests
import Telemetry

/// Plays a fleet's OTLP/JSON traces file into `monitor serve` over OTLP/HTTP, as an SDK's exporter does: batches
/// of traces as protobuf (or each line as JSON), retried on 429, 503 and connection failures after the server's
/// `Retry-After`, until `retryFor` has passed.
package struct FleetSender {
    /// How the traces are encoded.
    package enum Encoding: String, Sendable, CaseIterable {
        case protobuf
        case json
    }

    /// What a send did.
    package struct Summary: Sendable, Equatable {
        package var spans = 0
        package var requests = 0
        package var retries = 0
        /// Spans the server's `partial_success` rejected.
        package var rejected = 0
    }

    /// Why a send stopped.
    package enum Failure: Error, CustomStringConvertible {
        case refused(status: Int, message: String)
        case unreachable(String)
        case unreadable(path: String, reason: String)

        package var description: String {
            switch self {
            case .refused(let status, let message): "the server answered \(status): \(message)"
            case .unreachable(let reason): "the server could not be reached: \(reason)"
            case .unreadable(let path, let reason): "\(path): \(reason)"
            }
        }
    }

    let tracesURL: URL
    let encoding: Encoding
    let batchTraces: Int
    let token: String?
    let retryFor: TimeInterval

    /// A sender to `endpoint` (the server's base URL; `/v1/traces` is appended).
    package init(endpoint: URL, encoding: Encoding, batchTraces: Int, token: String?, retryFor: TimeInterval) {
        tracesURL = endpoint.appendingPathComponent("v1/traces")
        self.encoding = encoding
        self.batchTraces = max(1, batchTraces)
        self.token = token
        self.retryFor = retryFor
    }

    /// Sends every trace of `file` (OTLP/JSON, one `TracesData` per line).
    package func send(file: String) throws -> Summary {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw Failure.unreadable(path: file, reason: "cannot be read")
        }
        var summary = Summary()
        let parser = OTLPTraceParser(file: file)
        var batch: [OTLPSpan] = []
        var traces = Set<String>()
        try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            var number = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                number += 1
                let line = UnsafeBufferPointer(rebasing: bytes[start..<end])
                start = end + 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                switch encoding {
                case .json:
                    let spans = try parser.spans(line, line: number)
                    try post(Data(line), spans: spans.count, into: &summary)
                case .protobuf:
                    for span in try parser.spans(line, line: number) {
                        traces.insert(span.traceId)
                        batch.append(span)
                    }
                    if traces.count >= batchTraces {
                        try post(OTLPProtobufWriter.request(batch), spans: batch.count, into: &summary)
                        batch.removeAll(keepingCapacity: true)
                        traces.removeAll(keepingCapacity: true)
                    }
                }
            }
        }
        if !batch.isEmpty { try post(OTLPProtobufWriter.request(batch), spans: batch.count, into: &summary) }
        return summary
    }

    func post(_ body: Data, spans: Int, into summary: inout Summary) throws {
        var headers = [("Content-Type", encoding == .protobuf ? "application/x-protobuf" : "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let request = BlockingHTTPRequest(url: tracesURL, method: "POST", headers: headers, body: body, timeout: 30)
        let deadline = Date().addingTimeInterval(retryFor)
        var delay = 0.2
        while true {
            summary.requests += 1
            var answer: BlockingHTTPRequest.Response?
            var failure: String?
            do { answer = try request.send() } catch { failure = error.description }
            let status = answer?.status ?? 0
            let data = answer?.body ?? Data()
            if status == 200 {
                summary.spans += spans
                summary.rejected += Self.rejected(data, encoding: encoding)
                return
            }
            let retryable = failure != nil || status == 429 || status == 502 || status == 503 || status == 504
            guard retryable, Date() < deadline else {
                if let failure { throw Failure.unreachable(failure) }
                throw Failure.refused(status: status, message: String(decoding: data.prefix(300), as: UTF8.self))
            }
            summary.retries += 1
            Thread.sleep(forTimeInterval: min(answer?.retryAfter ?? delay, max(0, deadline.timeIntervalSinceNow)))
            delay = min(delay * 2, 5)
        }
    }

    /// The `rejected_spans` of an `ExportTraceServiceResponse`.
    static func rejected(_ data: Data, encoding: Encoding) -> Int {
        switch encoding {
        case .json:
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let partial = object["partialSuccess"] as? [String: Any]
            else { return 0 }
            return Int("\(partial["rejectedSpans"] ?? 0)") ?? 0
        case .protobuf:
            return OTLPProtobufReader.rejectedSpans(in: data)
        }
    }
}

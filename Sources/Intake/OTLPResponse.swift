import Foundation
import OTLPMessages
import SwiftProtobuf

/// The bodies OTLP/HTTP answers with, in the request's encoding.
enum OTLPResponse {
    /// An `ExportTraceServiceResponse`; `partial_success` set when spans were rejected.
    static func export(rejected: Int, message: String?, encoding: TraceEncoding) -> Data {
        var response = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse()
        if rejected > 0 {
            response.partialSuccess.rejectedSpans = Int64(rejected)
            response.partialSuccess.errorMessage = message ?? ""
        }
        switch encoding {
        case .protobuf: return (try? response.serializedData()) ?? Data()
        case .json: return Data(((try? response.jsonString()) ?? "{}").utf8)
        }
    }

    /// An `ExportLogsServiceResponse`; `partial_success` set when log records were rejected.
    static func logsExport(rejected: Int, message: String?, encoding: TraceEncoding) -> Data {
        var response = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceResponse()
        if rejected > 0 {
            response.partialSuccess.rejectedLogRecords = Int64(rejected)
            response.partialSuccess.errorMessage = message ?? ""
        }
        switch encoding {
        case .protobuf: return (try? response.serializedData()) ?? Data()
        case .json: return Data(((try? response.jsonString()) ?? "{}").utf8)
        }
    }

    /// A `google.rpc.Status` (what OTLP/HTTP sends with a 4xx or 5xx): `code` is the gRPC code the status
    /// stands for, `message` the reason. Encoded here: the message has two fields and needs no generated code.
    static func status(code: Int, message: String, encoding: TraceEncoding) -> Data {
        switch encoding {
        case .json:
            let object: [String: Any] = ["code": code, "message": message]
            return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        case .protobuf:
            var bytes: [UInt8] = []
            if code != 0 {
                bytes.append(0x08)  // field 1, varint
                appendVarint(UInt64(code), to: &bytes)
            }
            let text = Array(message.utf8)
            if !text.isEmpty {
                bytes.append(0x12)  // field 2, length-delimited
                appendVarint(UInt64(text.count), to: &bytes)
                bytes.append(contentsOf: text)
            }
            return Data(bytes)
        }
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// The gRPC code of an HTTP status, as the OTLP specification pairs them.
    static func grpcCode(httpStatus: Int) -> Int {
        switch httpStatus {
        case 400: 3  // INVALID_ARGUMENT
        case 401: 16  // UNAUTHENTICATED
        case 413: 11  // OUT_OF_RANGE
        case 415: 3
        case 429: 8  // RESOURCE_EXHAUSTED
        case 503: 14  // UNAVAILABLE
        default: 2  // UNKNOWN
        }
    }
}

import Foundation
import JSONLines
import RunLedger
import ToolContract
import Vocabulary

/// One record as a line of each dataset format: native JSON lines, CSV, a benchmark task; and the split a
/// conversation falls in.
package enum DatasetLines {
    /// The split of a conversation: the first 8 bytes of the SHA-256 of its id as a fraction, against the
    /// cumulative shares.
    package static func split(of conversation: String, _ split: [(name: String, share: Double)]) -> String {
        guard !split.isEmpty else { return "all" }
        let hex = Digest.sha256(Data(conversation.utf8)).prefix(13)
        let fraction = Double(UInt64(hex, radix: 16) ?? 0) / Double(1 << 52)
        var cumulative = 0.0
        for part in split {
            cumulative += part.share
            if fraction < cumulative { return part.name }
        }
        return split[split.count - 1].name
    }

    package static func jsonOrString(_ text: String?) -> String {
        var bytes: [UInt8] = []
        bytes.appendJSONOrString(text)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends a record in the native format (members in name order, so equal records are equal bytes).
    package static func appendNativeLine(
        _ record: RetainedRecord, input: String?, output: String?, labels: [String: String], hash: String,
        to line: inout [UInt8]
    ) {
        var object = JSONObjectBytes(&line)
        object.string("arm", record.arm.rawValue, &line)
        object.string("category", record.category, &line)
        object.raw("content_available", input != nil || output != nil ? "true" : "false", &line)
        object.string("content_sha256", hash, &line)
        object.string("conversation_id", record.conversationId, &line)
        object.string("decision", record.decision?.rawValue, &line)
        object.string("event_id", record.eventKey, &line)
        object.value("input", &line) { $0.appendJSONOrString(input) }
        object.string("kind", record.kind.rawValue, &line)
        object.value("labels", &line) { bytes in
            var labelObject = JSONObjectBytes(&bytes)
            for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
                labelObject.string(named: key, value, &bytes)
            }
            labelObject.close(&bytes)
        }
        object.raw("look_id", String(record.lookId), &line)
        object.value("metrics", &line) { bytes in
            var metrics = JSONObjectBytes(&bytes)
            metrics.string("cost_source", record.costSource, &bytes)
            for metric in record.metrics.named { metrics.number(metric.name, metric.value, &bytes) }
            metrics.close(&bytes)
        }
        object.string("outcome", record.outcome.rawValue, &line)
        object.value("output", &line) { $0.appendJSONOrString(output) }
        object.string("request_id", record.requestId, &line)
        object.string("run_id", record.runId, &line)
        object.raw("schema", "\"agent-canary/feedback-record/v1\"", &line)
        object.string("span_id", record.spanId, &line)
        object.raw("step", record.stepIndex.map { String($0 + 1) }, &line)
        object.string("task_id", record.taskId, &line)
        object.raw("tool_calls", record.toolCalls, &line)
        object.string("trace_id", record.traceId, &line)
        object.raw("ts", String(record.timestamp), &line)
        object.string("version", record.version, &line)
        object.close(&line)
    }

    /// A regression task: the prompt of a task that failed (or acted without authorization, or was rated
    /// badly) as a row of the native benchmark format, its id derived from the prompt so the same prompt is
    /// the same task in every export. The row records the observed failure; `input` is what the harness runs.
    package static func benchmarkTaskLine(_ record: RetainedRecord, input: String?, output: String?) -> (
        id: String, line: String
    )? {
        guard let input else { return nil }
        let id = "regression-" + Digest.sha256(Data(input.utf8)).prefix(12)
        var fields: [(String, String)] = [
            ("task_id", jsonStringLiteral(id)), ("trial", "1"), ("version", jsonStringLiteral(record.version)),
            ("success", "false"), ("tool_calls", record.toolCalls), ("input", jsonOrString(input)),
            (
                "source",
                "{\"kind\":\(jsonStringLiteral(record.kind.rawValue)),\"run_id\":\(jsonStringLiteral(record.runId)),"
                    + "\"event_id\":\(jsonStringLiteral(record.eventKey)),\"outcome\":\(jsonStringLiteral(record.outcome.rawValue))}"
            ),
        ]
        if let category = record.category { fields.append(("category", jsonStringLiteral(category))) }
        if let output { fields.append(("observed_output", jsonOrString(output))) }
        return (id, "{" + fields.sorted { $0.0 < $1.0 }.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }

    package static let csvHeader =
        "kind,run_id,look_id,step,arm,version,conversation_id,task_id,request_id,event_id,trace_id,span_id,ts,outcome,"
        + "decision,category,cost_usd,cost_source,latency_ms,input_tokens,output_tokens,steps,judge_score,tool_calls,"
        + "input,output,labels"

    /// A CSV row (RFC 4180 quoting). Free-text cells that a spreadsheet would run as a formula (starting with
    /// `=`, `+`, `-`, `@`, tab or carriage return) get a leading `'`, as OWASP advises for CSV exports.
    package static func csvLine(_ record: RetainedRecord, input: String?, output: String?, labels: [String: String])
        -> String
    {
        func cell(_ text: String?) -> String {
            guard let text else { return "" }
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        func freeText(_ text: String?) -> String? {
            guard let text, let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else {
                return text
            }
            return "'" + text
        }
        func number(_ value: Double?) -> String? {
            value.map { value in
                var bytes: [UInt8] = []
                bytes.appendJSONNumber(value)
                return String(decoding: bytes, as: UTF8.self)
            }
        }
        let labelText =
            "{"
            + labels.sorted { $0.key < $1.key }.map { "\(jsonStringLiteral($0.key)):\(jsonStringLiteral($0.value))" }
            .joined(separator: ",") + "}"
        let metrics = record.metrics
        let cells: [String?] = [
            record.kind.rawValue, record.runId, String(record.lookId), record.stepIndex.map { String($0 + 1) },
            record.arm.rawValue,
            record.version, record.conversationId, record.taskId, record.requestId, record.eventKey, record.traceId,
            record.spanId, String(record.timestamp), record.outcome.rawValue, record.decision?.rawValue,
            freeText(record.category),
            number(metrics.costUSD), record.costSource, number(metrics.latencyMs), number(metrics.inputTokens),
            number(metrics.outputTokens), number(metrics.steps), number(metrics.judgeScore), record.toolCalls,
            freeText(input), freeText(output), labelText,
        ]
        return cells.map(cell).joined(separator: ",")
    }
}

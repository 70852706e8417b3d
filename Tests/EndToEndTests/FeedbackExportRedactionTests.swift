import Foundation
import JSONLines
import TestSupport
import Testing

/// Redaction through the binaries: the realistic corpus planted in the telemetry of a shadow run — in task input
/// and output (as text and as structured JSON), feedback comments and shadow proposals — is gone from
/// every file of an export in every format, read as a user's tools would read them (JSON escapes decoded).
@Suite("feedback-export redaction end to end")
struct FeedbackExportRedactionTests {
    static let formats = ["native", "csv", "openai-sft", "openai-dpo", "trl-preference", "benchmark-tasks"]

    /// One line of native telemetry: the text as a JSON string, or as it is when it is a JSON document.
    static func content(_ text: String) -> String {
        text.hasPrefix("{") ? text : jsonStringLiteral(text)
    }

    /// For each corpus text: a stable success and a failure carrying it, a negative rating commenting it, and a
    /// shadow proposal for the same request that disagrees and carries it too.
    static func plantedTelemetry() -> String {
        var lines: [String] = []
        for (index, item) in RedactionCorpus.texts.enumerated() {
            let time = String(format: "2026-11-26T00:%02d:00Z", 2 + index % 50)
            let common = "\"conversation_id\":\"corpus-c\(index)\""
            let fields = "\"input\":\(content(item.text)),\"output\":\(content(item.text))"
            lines.append(
                "{\"type\":\"task\",\"ts\":\"\(time)\",\"event_id\":\"corpus-s\(index)\",\"version\":\"1.4.0\",\(common),"
                    + "\"task_id\":\"corpus-t\(index)-s\",\"request_id\":\"corpus-r\(index)\",\"outcome\":\"success\","
                    + "\"tool_calls\":[{\"name\":\"lookup_order\",\"authorized\":true}],\(fields)}")
            lines.append(
                "{\"type\":\"shadow\",\"ts\":\"\(time)\",\"event_id\":\"corpus-p\(index)\",\"version\":\"1.5.0\",\(common),"
                    + "\"request_id\":\"corpus-r\(index)\",\"proposed_tool_calls\":[{\"name\":\"issue_refund\"}],"
                    + "\"output\":\(content(item.text))}")
            lines.append(
                "{\"type\":\"task\",\"ts\":\"\(time)\",\"event_id\":\"corpus-f\(index)\",\"version\":\"1.4.0\",\(common),"
                    + "\"task_id\":\"corpus-t\(index)-f\",\"outcome\":\"failure\",\"category\":\"billing\","
                    + "\(fields)}")
            lines.append(
                "{\"type\":\"feedback\",\"ts\":\"\(time)\",\"event_id\":\"corpus-r\(index)-fb\",\"version\":\"1.4.0\","
                    + "\(common),\"task_id\":\"corpus-t\(index)-s\",\"rating\":1,\"comment\":\(jsonStringLiteral(item.text))}"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("no planted secret survives in any file of any format; the manifest counts every rule")
    func everyFormat() throws {
        let directory = try TemporaryDirectory()
        let run = try LoopFixtures.startedRun(
            in: directory,
            policy: "agent: {name: support-agent}\nrollout:\n  mode: shadow\n  steps: [{weight: 30}]\n")
        try directory.write("corpus.jsonl", Self.plantedTelemetry())
        let look = try LoopFixtures.monitor(
            [
                "analyze", "--run", run, "--policy", "canary.yaml", "--events", "corpus.jsonl", "--output",
                "analysis.json",
            ],
            in: directory)
        #expect(look.status <= 1, "\(look.stderr)")
        let secrets = RedactionCorpus.texts.flatMap(\.secrets)
        for format in Self.formats {
            let result = try Tool.run(
                "feedback-export",
                ["--run", run, "--kind", "all", "--format", format, "--out-dir", format, "--ledger", "ledger.sqlite"],
                in: directory.url)
            #expect(result.status == 0, "\(format): \(result.stderr)")
            let manifest = try #require(
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: directory.url.appendingPathComponent("\(format)/manifest.json")))
                    as? [String: Any])
            #expect((manifest["records"] as? Int ?? 0) > 0, "\(format) exported nothing")
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path(format))
            for name in names {
                var reading = try String(contentsOfFile: directory.path("\(format)/\(name)"), encoding: .utf8)
                for _ in 0..<3 { reading = RedactionCorpus.decoded(reading) }
                for secret in secrets {
                    #expect(!reading.contains(secret), "\(format)/\(name) holds \(secret.prefix(24))…")
                }
            }
            if format == "native" {
                let counted = Set((manifest["redaction"] as? [String: Int] ?? [:]).keys)
                #expect(counted == Set(RedactionCorpus.texts.flatMap(\.rules)), "\(counted)")
            }
        }
        // The stdout and stderr of the tools carry none either.
        let leaked = secrets.filter { look.stdout.contains($0) || look.stderr.contains($0) }
        #expect(leaked.isEmpty, "\(leaked) in \(look.stdout) \(look.stderr)")
    }
}

import AnalysisCore
import Artifacts
import Foundation
import TestSupport
import Testing
import Vocabulary

/// Untrusted strings into line protocols, through the binary: a violation whose `event_id` carries line breaks,
/// a forged DogStatsD gauge and forged GitHub workflow commands reaches the rollback's reasons, and every
/// encoder it passes — DogStatsD, GitHub's stdout/stderr commands, step outputs and summary, JUnit, logs — keeps
/// it one value.
@Suite("Line protocols escape what they carry")
struct LineProtocolTests {
    static let forged =
        "v1\nagent_canary.decision:1|g|#decision:promote\n::error title=forged::pwned\n::add-mask::x\r\n##[error]old"

    /// Tasks of both versions and a critical violation of the candidate with the forged id.
    static func events() throws -> String {
        let now = ISO8601DateFormatter().string(from: Date())
        var lines: [String] = []
        for index in 0..<80 {
            let version = index % 2 == 0 ? "1.5.0" : "1.4.0"
            lines.append(
                #"{"type":"task","event_id":"t\#(index)","ts":"\#(now)","version":"\#(version)","task_id":"t\#(index)","conversation_id":"c\#(index)","outcome":"success"}"#
            )
        }
        let id = String(decoding: try JSONSerialization.data(withJSONObject: [forged], options: []), as: UTF8.self)
            .dropFirst().dropLast()
        lines.append(
            #"{"type":"violation","event_id":\#(id),"ts":"\#(now)","version":"1.5.0","task_id":"t0","conversation_id":"c0","action":"refund","severity":"critical"}"#
        )
        return lines.joined(separator: "\n") + "\n"
    }

    /// The lines of `text` the GitHub runner would obey: those starting with `::` or `##[` outside a
    /// `::stop-commands::TOKEN` … `::TOKEN::` block.
    static func obeyed(_ text: String) -> [String] {
        var token: String?
        var commands: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let open = token {
                if trimmed == "::\(open)::" { token = nil }
                continue
            }
            if trimmed.hasPrefix("::stop-commands::") {
                token = String(trimmed.dropFirst("::stop-commands::".count))
            } else if trimmed.hasPrefix("::") || trimmed.hasPrefix("##[") {
                commands.append(trimmed)
            }
        }
        return commands
    }

    @Test(
        "a forged event id stays one value in DogStatsD, GitHub commands and files, JUnit and logs",
        .requires(.python3))
    func forgedEventId() throws {
        let directory = try TemporaryDirectory()
        let run = try LoopFixtures.startedRun(in: directory)
        try directory.write("events.jsonl", try Self.events())
        try directory.write("github-output", "")
        try directory.write("step-summary.md", "")
        let listener = try UDPListener()
        let look = try Tool.run(
            "monitor",
            [
                "analyze", "--run", run, "--policy", "canary.yaml", "--events", "events.jsonl", "--output",
                "analysis.json", "--statsd", "127.0.0.1:\(listener.port)", "--junit", "junit.xml", "--ledger",
                "ledger.sqlite",
            ],
            environment: LoopFixtures.environment.merging(
                [
                    "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": directory.path("github-output"),
                    "GITHUB_STEP_SUMMARY": directory.path("step-summary.md"), "AGENT_CANARY_LOG_LEVEL": "debug",
                ]) { $1 }, in: directory.url)
        #expect(look.status <= 1, "\(look.stderr)")
        let artifact = try LoopFixtures.analysis(directory.path("analysis.json"))
        #expect(artifact.judgement.decision.rawValue == "rollback")
        #expect(artifact.judgement.reasons.joined().contains("agent_canary.decision"), "the id reaches the reasons")

        // DogStatsD: no forged gauge, and the event's declared lengths are its bytes.
        let lines = listener.lines()
        #expect(!lines.isEmpty)
        #expect(!lines.contains { $0.hasPrefix("agent_canary.decision:1|g|#decision:promote") }, "\(lines)")
        for line in lines where line.hasPrefix("_e{") {
            let bytes = Array(line.utf8)
            let header = try #require(line.firstMatch(of: /^_e\{(\d+),(\d+)\}:/))
            let (title, text) = (Int(header.1) ?? -1, Int(header.2) ?? -1)
            let start = header.0.utf8.count
            #expect(bytes.count > start + title + 1 + text && bytes[start + title] == UInt8(ascii: "|"))
            #expect(bytes[start + title + 1 + text] == UInt8(ascii: "|"), "\(line)")
            #expect(String(decoding: bytes[(start + title + 1 + text)...], as: UTF8.self).hasPrefix("|t:error|"))
        }
        for line in lines where !line.hasPrefix("_e{") { #expect(line.hasPrefix("agent_canary."), "\(line)") }

        // GitHub: what the runner would obey on stdout and stderr is the look's own annotations only.
        for commands in [Self.obeyed(look.stdout), Self.obeyed(look.stderr)] {
            for command in commands {
                #expect(command.hasPrefix("::error title=") || command.hasPrefix("::warning title="), "\(command)")
                #expect(!command.hasPrefix("::error title=forged"))
            }
        }
        #expect(Self.obeyed(look.stdout).contains { $0.hasPrefix("::error title=") }, "\(look.stdout)")
        // An error message quoting the value: printed verbatim, inside a block the runner does not read.
        let bad =
            #"{"type":"violation","event_id":"b","ts":"2026-11-26T15:02:07Z","version":"1.5.0","task_id":"t","conversation_id":"c","action":"a","severity":"x\n::error title=forged::pwned"}"#
        try directory.write("bad.jsonl", bad + "\n")
        let refused = try Tool.run(
            "monitor",
            [
                "analyze", "--policy", "canary.yaml", "--events", "bad.jsonl", "--output", "bad.json",
                "--baseline-version", "1.4.0", "--candidate-version", "1.5.0",
            ],
            environment: ["GITHUB_ACTIONS": "true"], in: directory.url)
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(
            refused.stderr.contains("::stop-commands::") && refused.stderr.contains("\n::error title=forged::pwned"))
        #expect(Self.obeyed(refused.stderr).isEmpty, "\(refused.stderr)")
        // Step outputs: one value per key; the summary's table rows stay rows.
        let outputs = try String(contentsOfFile: directory.path("github-output"), encoding: .utf8)
        var delimiter: Substring?
        for line in outputs.split(separator: "\n") {
            if let open = delimiter {
                if line == open { delimiter = nil }
            } else if let heredoc = line.firstRange(of: "<<") {
                delimiter = line[heredoc.upperBound...]
                #expect(delimiter?.hasPrefix("ghadelimiter_") == true)
            } else {
                #expect(line.wholeMatch(of: /[a-z_]+=.*/) != nil, "\(line)")
            }
        }
        #expect(delimiter == nil)
        let summary = try String(contentsOfFile: directory.path("step-summary.md"), encoding: .utf8)
        #expect(!summary.split(separator: "\n").contains { $0.hasPrefix("::") || $0.hasPrefix("agent_canary.") })
        // JUnit: valid against the schema Jenkins uses.
        let junit = try Validator.check("junit", [directory.path("junit.xml")])
        #expect(junit.status == 0, "\(junit.output)")
        // Logs: one entry per line.
        for line in look.stderr.split(separator: "\n") {
            #expect(!line.hasPrefix("agent_canary.") && !line.hasPrefix("::error title=forged"), "\(line)")
        }
    }
}

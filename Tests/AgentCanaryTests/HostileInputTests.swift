import Foundation
import TestSupport
import Testing

/// Input that used to crash or hang the tools (a trap converting a huge number, a sum overflowing to
/// infinity, a YAML alias expanding for hours, a stream without newlines) gets exit 65, one message naming
/// the file, line and field, and writes nothing — through the built binaries.
@Suite("Hostile input: exit 65, never a crash or a hang")
struct HostileInputTests {
    static func firstLine(_ text: String) -> String {
        text.split(separator: "\n").first.map(String.init) ?? ""
    }

    /// A policy the gate reads; `result` is its run with the bundled passing suite.
    static func gate(policy text: String, timeout: TimeInterval = 20) throws -> ToolResult {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", text)
        let fixtures = "Tests/AgentCanaryTests/Fixtures/native/pass"
        let running = try Tool.start(
            "benchmark-gate",
            [
                "--policy", directory.path("canary.yaml"), "--candidate",
                Repository.path("\(fixtures)/candidate.jsonl"),
                "--baseline", Repository.path("\(fixtures)/baseline.jsonl"), "--ledger",
                directory.path("ledger.sqlite"),
                "--output", directory.path("gate.json"),
            ])
        let deadline = Date().addingTimeInterval(timeout)
        while running.process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if running.process.isRunning {
            kill(running.process.processIdentifier, SIGKILL)
            Issue.record("benchmark-gate was still parsing the policy after \(Int(timeout)) s")
        }
        running.process.waitUntilExit()
        let result = running.finish()
        if result.status != 0 { #expect(!FileManager.default.fileExists(atPath: directory.path("ledger.sqlite"))) }
        return result
    }

    /// Forty levels of aliases, each doubling the one before, then the last one used as a mapping key: Yams
    /// hashes the key's whole expansion to look for duplicates (2⁴⁰ nodes).
    static let aliasKeyPolicy: String = {
        var lines = [#"l0: &l0 ["lol", "lol"]"#]
        for level in 1..<40 { lines.append("l\(level): &l\(level) [*l\(level - 1), *l\(level - 1)]") }
        return (lines + ["agent: {name: support-agent}", "*l39 : 1"]).joined(separator: "\n") + "\n"
    }()

    @Test(
        "policies that trapped or hung are refused with their line and field",
        arguments: [
            (
                "agent: {name: support-agent}\nrollout:\n  drain_timeout: 153722867280912931m\n",
                "canary.yaml:3: field 'rollout.drain_timeout': '153722867280912931m' is longer than ten years"
            ),
            (
                "agent: {name: support-agent}\nrollout:\n  steps: [{weight: 50, min_duration: 99999999999999999999s}]\n",
                "field 'rollout.steps[0].min_duration'"
            ),
            (aliasKeyPolicy, "canary.yaml:42: not valid YAML or JSON: a YAML alias (*name) is used as a mapping key"),
            ("agent: {name: null}\n", "canary.yaml:1: field 'agent.name': expected a non-empty string, found null"),
            ("agent: {name: ~}\n", "field 'agent.name': expected a non-empty string, found null"),
        ])
    func policies(text: String, message: String) throws {
        let result = try Self.gate(policy: text)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(Self.firstLine(result.stderr).contains(message), "\(result.stderr)")
    }

    @Test("aliases as values and a quoted \"null\" stay allowed")
    func validPolicies() throws {
        let anchors = """
            agent: {name: &agent support-agent}
            gate:
              criteria:
                success_rate: &margin {margin: 0.08}
                pass_hat_k: *margin
            monitor:
              segments: false
            """
        let result = try Self.gate(policy: anchors + "\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.gate(policy: "agent: {name: \"null\"}\n").status == 0)
    }
}

import Foundation
import TestSupport
import Testing

/// Input that used to crash or hang the tools (a trap converting a huge number, a sum overflowing to
/// infinity, a YAML alias expanding for hours, a stream without newlines) gets exit 65, one message naming
/// the file, line and field, and writes nothing — through the built binaries.
@Suite("Hostile input: exit 65, never a crash or a hang")
struct HostileInputTests {
    /// The first line of `file` with the first match of `pattern` replaced by `replacement`.
    static func mutateFirstLine(_ file: String, _ pattern: String, _ replacement: String) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let mutated = lines[0].replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        #expect(mutated != lines[0], "\(pattern) is not in the first line")
        lines[0] = mutated
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: file))
    }

    /// Runs `monitor analyze` on `source` (`--events` or `--otlp`) without a run; every file of the
    /// directory but the telemetry must be as before.
    static func analyze(_ flag: String, _ file: String, in directory: TemporaryDirectory, extra: [String] = [])
        throws -> ToolResult
    {
        let before = try directory.snapshot()
        let result = try Tool.run(
            "monitor",
            [
                "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", flag, file, "--output",
                "analysis.json", "--ledger", "ledger.sqlite",
            ] + extra, in: directory.url)
        #expect(try directory.snapshot() == before, "a refused look wrote something")
        return result
    }

    static func firstLine(_ text: String) -> String {
        text.split(separator: "\n").first.map(String.init) ?? ""
    }

    @Test(
        "native task facts out of range: the same 65 on the fast and the full path",
        arguments: [
            (#""steps":\d+"#, #""steps":1e19"#, "steps", "1e+19 is out of range (0…1000000000000000)"),
            (#""cost_usd":[0-9.]+"#, #""cost_usd":1e308"#, "cost_usd", "1e+308 is out of range (0…1000000000)"),
            // Ten digits, no exponent: a number the fast scanner reads itself, and must refuse the same way.
            (#""cost_usd":[0-9.]+"#, #""cost_usd":2000000000"#, "cost_usd", "2000000000.0 is out of range"),
            (#""latency_ms":\d+"#, #""latency_ms":10000000000000"#, "latency_ms", "is out of range (0…1000000000000)"),
            (#""input_tokens":\d+"#, #""input_tokens":-5"#, "input_tokens", "-5.0 is out of range"),
        ])
    func nativeFacts(pattern: String, replacement: String, field: String, reason: String) throws {
        let directory = try TemporaryDirectory()
        let simulate = try Tool.run(
            "agent-sim", ["telemetry", "--conversations", "20", "--weight", "50", "--out", "telemetry.jsonl"],
            in: directory.url)
        try #require(simulate.status == 0, "\(simulate.stderr)")
        try Self.mutateFirstLine(directory.path("telemetry.jsonl"), pattern, replacement)
        let result = try Self.analyze("--events", "telemetry.jsonl", in: directory)
        #expect(result.status == 65, "\(result.stderr)")
        let message = Self.firstLine(result.stderr)
        #expect(message.hasPrefix("error: telemetry.jsonl:1: field '\(field)': "), "\(message)")
        #expect(message.contains(reason), "\(message)")
    }

    @Test(
        "OTLP task facts are held to the native ranges: negative, NaN and infinite values are refused",
        arguments: [
            (#""doubleValue":[0-9.]+"#, #""doubleValue":-0.5"#, "attributes.gen_ai.usage.cost"),
            (#""doubleValue":[0-9.]+"#, #""doubleValue":"Infinity""#, "attributes.gen_ai.usage.cost"),
            (#""doubleValue":[0-9.]+"#, #""doubleValue":"NaN""#, "attributes.gen_ai.usage.cost"),
            (#""intValue":"\d+""#, #""intValue":"-3""#, "attributes.gen_ai.usage.input_tokens"),
        ])
    func otlpFacts(pattern: String, replacement: String, field: String) throws {
        let directory = try TemporaryDirectory()
        let simulate = try Tool.run(
            "agent-sim",
            ["telemetry", "--conversations", "20", "--weight", "50", "--format", "otlp", "--out", "traces.jsonl"],
            in: directory.url)
        try #require(simulate.status == 0, "\(simulate.stderr)")
        try Self.mutateFirstLine(directory.path("traces.jsonl"), pattern, replacement)
        let result = try Self.analyze("--otlp", "traces.jsonl", in: directory)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(
            Self.firstLine(result.stderr).hasPrefix("error: traces.jsonl:1: field '\(field)': "), "\(result.stderr)")
    }

    @Test("an OTLP status code that is not 0, 1 or 2 is bad input, not a trap")
    func otlpStatusCode() throws {
        let directory = try TemporaryDirectory()
        let simulate = try Tool.run(
            "agent-sim",
            ["telemetry", "--conversations", "5", "--weight", "50", "--format", "otlp", "--out", "traces.jsonl"],
            in: directory.url)
        try #require(simulate.status == 0, "\(simulate.stderr)")
        try Self.mutateFirstLine(directory.path("traces.jsonl"), #""kind":1,"#, #""kind":1,"status":{"code":1e19},"#)
        let result = try Self.analyze("--otlp", "traces.jsonl", in: directory)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains(".status.code"), "\(result.stderr)")
    }

    /// Values the fast scanner skips (a task's output, a field it does not know) are held to the same grammar
    /// as the full parser's: with and without a run, one answer — 65 naming the line.
    @Test(
        "a raw control character or invalid UTF-8 in a skipped value: 65 on both paths",
        arguments: [
            ([0x01], "control character in a string"), ([0xC0, 0xAF], "invalid UTF-8 in a string"),
            ([0xED, 0xA0, 0x80], "invalid UTF-8 in a string"),
        ] as [([UInt8], String)])
    func skippedValues(inserted: [UInt8], reason: String) throws {
        for withRun in [false, true] {
            let directory = try TemporaryDirectory()
            let run = withRun ? try LoopFixtures.startedRun(in: directory) : nil
            try LoopFixtures.simulate(
                ["--conversations", "20", "--weight", "50", "--out", "telemetry.jsonl"], in: directory)
            var bytes = Array(try Data(contentsOf: directory.url.appendingPathComponent("telemetry.jsonl")))
            let marker = Array(#""output":"R"#.utf8)
            let at = try #require(
                (0...(bytes.count - marker.count)).first { Array(bytes[$0..<($0 + marker.count)]) == marker })
            bytes.insert(contentsOf: inserted, at: at + marker.count - 1)
            try Data(bytes).write(to: directory.url.appendingPathComponent("telemetry.jsonl"))
            let line = bytes[..<at].filter { $0 == 0x0A }.count + 1
            let result =
                try run.map { run in
                    try LoopFixtures.monitor(
                        ["analyze", "--run", run, "--policy", "canary.yaml", "--events", "telemetry.jsonl"],
                        in: directory)
                } ?? Self.analyze("--events", "telemetry.jsonl", in: directory)
            #expect(result.status == 65, "\(result.stderr)")
            let message = Self.firstLine(result.stderr)
            #expect(message.hasPrefix("error: telemetry.jsonl:\(line): "), "\(message)")
            #expect(message.contains(reason), "\(message)")
        }
    }

    /// A device or a binary file where JSON is expected is refused on its first byte, not after the 1 GiB an
    /// input read whole may hold.
    @Test("benchmark-gate and canary-deploy refuse /dev/zero on its first byte: 65, nothing written")
    func devices() throws {
        let directory = try TemporaryDirectory()
        let pass = Repository.path("Tests/Fixtures/native/pass")
        let gate = try Tool.run(
            "benchmark-gate",
            [
                "--candidate", "/dev/zero", "--baseline", "\(pass)/baseline.jsonl", "--agent", "support-agent",
                "--output", "gate.json", "--ledger", "ledger.sqlite",
            ], in: directory.url)
        #expect(gate.status == 65, "\(gate.stderr)")
        #expect(
            Self.firstLine(gate.stderr).hasPrefix("error: /dev/zero: unknown format"), "\(gate.stderr)")
        #expect(try directory.snapshot().isEmpty)
        try directory.write("canary.yaml", "agent: {name: support-agent}\n")
        let deploy = try Tool.run(
            "canary-deploy",
            [
                "start", "--gate", "/dev/zero", "--policy", "canary.yaml", "--router", "nginx", "--force", "--reason",
                "probe", "--ledger", "ledger.sqlite",
            ], in: directory.url)
        #expect(deploy.status == 65, "\(deploy.stderr)")
        #expect(Self.firstLine(deploy.stderr).contains("/dev/zero:1: not JSON"), "\(deploy.stderr)")
        #expect(try directory.snapshot().keys.sorted() == ["canary.yaml"])
    }

    @Test("a stream without newlines stops at --max-line-bytes with the file and line, promptly")
    func endlessLine() throws {
        let directory = try TemporaryDirectory()
        let start = Date()
        let result = try Self.analyze("--events", "/dev/zero", in: directory, extra: ["--max-line-bytes", "1048576"])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(
            Self.firstLine(result.stderr)
                == "error: /dev/zero:1: the line is longer than 1048576 bytes (monitor --max-line-bytes)")
        #expect(Date().timeIntervalSince(start) < 30)
        let tooSmall = try Self.analyze("--events", "/dev/zero", in: directory, extra: ["--max-line-bytes", "10"])
        #expect(tooSmall.status == 64)
    }

    @Test(
        "benchmark rows with huge values are refused before any sum overflows",
        arguments: [
            (#""cost_usd":[0-9.]+"#, #""cost_usd":1e308"#, "cost_usd"),
            (#""steps":\d+"#, #""steps":1e19"#, "steps"),
            (#""latency_ms":[0-9.]+"#, #""latency_ms":1e300"#, "latency_ms"),
        ])
    func benchmarkRows(pattern: String, replacement: String, field: String) throws {
        // Every row, as the probe did: one row alone would already be refused.
        let result = try Self.gateOnMutatedSuite(pattern, replacement)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(
            Self.firstLine(result.stderr).hasPrefix("error: candidate.jsonl:1: field '\(field)': "), "\(result.stderr)")
    }

    /// `benchmark-gate` (with `extra` flags) on a suite `agent-sim suite` made, every match of `pattern` in the
    /// candidate's rows replaced by `replacement` (a regular-expression template); the directory must be as
    /// before.
    static func gateOnMutatedSuite(_ pattern: String = "", _ replacement: String = "", extra: [String] = [])
        throws -> ToolResult
    {
        let directory = try TemporaryDirectory()
        let suite = try Tool.run("agent-sim", ["suite", "--out-dir", ".", "--tasks", "20"], in: directory.url)
        try #require(suite.status == 0, "\(suite.stderr)")
        let path = directory.path("candidate.jsonl")
        let rows = try String(contentsOfFile: path, encoding: .utf8)
        if !pattern.isEmpty {
            let mutated = rows.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
            #expect(mutated != rows, "\(pattern) is not in the rows")
            try Data(mutated.utf8).write(to: URL(fileURLWithPath: path))
        }
        let before = try directory.snapshot()
        let result = try Tool.run(
            "benchmark-gate",
            [
                "--agent", "support-agent", "--candidate", "candidate.jsonl", "--baseline", "baseline.jsonl",
                "--ledger", "ledger.sqlite",
            ] + extra, in: directory.url)
        #expect(try directory.snapshot() == before)
        return result
    }

    /// A policy the gate reads; `result` is its run with the bundled passing suite.
    static func gate(policy text: String, timeout: TimeInterval = 20) throws -> ToolResult {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", text)
        let fixtures = "Tests/Fixtures/native/pass"
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

    @Test("a version with a newline never reaches nginx.conf: the gate refuses it where it enters")
    func versionInjection() throws {
        let result = try Self.gateOnMutatedSuite(
            #""version":"1\.5\.0""#, #""version":"1.5.0\\n    server { listen 9999; }""#)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(
            Self.firstLine(result.stderr).hasPrefix("error: candidate.jsonl (field 'version'): the candidate version"),
            "\(result.stderr)")
        let flag = try Self.gateOnMutatedSuite(extra: ["--candidate-version", "1.5.0;"])
        #expect(flag.status == 65 && flag.stderr.hasPrefix("error: --candidate-version: "), "\(flag.stderr)")
    }

    @Test(
        "policy values that would reach a rendered configuration are held to their grammar",
        arguments: [
            ("rollout: {host: 'agent.example.com; include /etc/passwd'}", "field 'rollout.host'"),
            ("rollout: {baseline: {address: \"10.0.0.11:8080;\\n  }\"}}", "field 'rollout.baseline.address'"),
            ("rollout: {baseline: {service: 'stable\"'}}", "field 'rollout.baseline.service'"),
            ("rollout: {ab_match: [{header: x-beta, value: 'a;b'}]}", "field 'rollout.ab_match[0].value'"),
            ("rollout: {namespace: 'agents\n'}", "field 'rollout.namespace'"),
            ("rollout: {pin_cookie: 'agent$version'}", "field 'rollout.pin_cookie'"),
        ])
    func policyValues(rollout: String, field: String) throws {
        let result = try Self.gate(policy: "agent: {name: support-agent}\n\(rollout)\n")
        #expect(result.status == 65, "\(result.stderr)")
        #expect(Self.firstLine(result.stderr).contains(field), "\(result.stderr)")
    }

    @Test("--agent outside the grammar of names is a usage error")
    func agentFlag() throws {
        let directory = try TemporaryDirectory()
        let fixtures = "Tests/Fixtures/native/pass"
        let result = try Tool.run(
            "benchmark-gate",
            [
                "--agent", "support-agent\nserver {", "--candidate", Repository.path("\(fixtures)/candidate.jsonl"),
                "--baseline", Repository.path("\(fixtures)/baseline.jsonl"), "--ledger", directory.path("l.sqlite"),
            ])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: --agent 'support-agent"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("l.sqlite")))
    }

    @Test("a forged gate artifact started with --force renders nothing: every renderer's plan is checked")
    func forgedGate() throws {
        let directory = try TemporaryDirectory()
        let fixtures = "Tests/Fixtures/native/pass"
        let gate = try Tool.run(
            "benchmark-gate",
            [
                "--agent", "support-agent", "--candidate", Repository.path("\(fixtures)/candidate.jsonl"), "--baseline",
                Repository.path("\(fixtures)/baseline.jsonl"), "--ledger", "ledger.sqlite", "--output", "gate.json",
            ], in: directory.url)
        try #require(gate.status == 0, "\(gate.stderr)")
        let text = try String(contentsOfFile: directory.path("gate.json"), encoding: .utf8)
        // A run the ledger has never seen, so a forced start takes the versions from the artifact.
        let forged = text.replacingOccurrences(
            of: #""candidate_version" : "1.5.0""#, with: #""candidate_version" : "1.5.0;\n  }\n  server {""#
        ).replacingOccurrences(of: #""run_id" : "[^"]*""#, with: #""run_id" : "forged""#, options: .regularExpression)
        #expect(forged.contains("server {") && forged.contains(#""run_id" : "forged""#))
        try directory.write("gate.json", forged)
        try directory.write("canary.yaml", "agent: {name: support-agent}\nrollout:\n  steps: [{weight: 5}]\n")
        let before = try directory.snapshot()
        let result = try Tool.run(
            "canary-deploy",
            [
                "start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "nginx", "--force", "--reason",
                "testing a forged gate", "--ledger", "ledger.sqlite", "--out-dir", "out",
            ], in: directory.url)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("cannot render the candidate version"), "\(result.stderr)")
        #expect(try directory.snapshot() == before)
    }
}

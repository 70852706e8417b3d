import Artifacts
import Foundation
import RunLedger
import TestSupport
import Testing
import ToolContract
import Vocabulary

/// Runs the built `benchmark-gate` binary, as a pipeline would, and checks stdout, stderr, exit status and
/// the files it writes.
@Suite("benchmark-gate end to end")
struct BenchmarkGateEndToEndTests {
    static let fixtures = "Tests/Fixtures"
    static let fixedTime = ["SOURCE_DATE_EPOCH": "1795651200"]

    func gate(_ arguments: [String], _ directory: TemporaryDirectory, environment: [String: String] = [:]) throws
        -> ToolResult
    {
        try Tool.run(
            "benchmark-gate", arguments + ["--ledger", directory.path("ledger.sqlite")],
            environment: Self.fixedTime.merging(environment) { $1 })
    }

    func scenario(_ name: String) -> [String] {
        [
            "--candidate", "\(Self.fixtures)/native/\(name)/candidate.jsonl",
            "--baseline", "\(Self.fixtures)/native/\(name)/baseline.jsonl", "--agent", "support-agent",
        ]
    }

    func decodeGate(_ path: String) throws -> GateResult {
        try ArtifactCoding.makeDecoder().decode(GateResult.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test("pass: exit 0, the artifact, CI files and the ledger rows")
    func pass() throws {
        let directory = try TemporaryDirectory()
        let result = try gate(
            scenario("pass") + [
                "--output", directory.path("gate.json"), "--junit", directory.path("junit.xml"),
                "--summary", directory.path("summary.md"), "--dotenv", directory.path("gate.env"),
            ], directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("— PASS"))
        #expect(result.stderr.isEmpty)
        let artifact = try decodeGate(directory.path("gate.json"))
        #expect(artifact.verdict == .pass && !artifact.blocking)
        #expect(artifact.schema == "agent-canary/gate-result/v1")
        #expect(artifact.createdAt == "2026-11-26T00:00:00Z")
        #expect(
            Set(artifact.metrics.map(\.name)).isSuperset(of: [
                "success_rate", "pass_hat_k", "cost_per_task", "latency_p95_ms", "unauthorized_actions",
            ]))
        let dotenv = try String(contentsOfFile: directory.path("gate.env"), encoding: .utf8)
        #expect(dotenv.contains("AGENT_CANARY_VERDICT=pass\n"))
        #expect(dotenv.contains("AGENT_CANARY_RUN_ID=\(artifact.runId)\n"))
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let history = try ledger.gateHistory(agent: "support-agent")
        #expect(history.count == 1)
        let sha = Digest.sha256(try Data(contentsOf: URL(fileURLWithPath: directory.path("gate.json"))))
        #expect(history.first?.artifactSha256 == sha)
        #expect(try ledger.count(table: "artifacts") == 4)
    }

    @Test("fail and blocking inconclusive exit 1; a non-blocking inconclusive exits 0")
    func failAndInconclusive() throws {
        let directory = try TemporaryDirectory()
        let failed = try gate(scenario("fail") + ["--output", directory.path("fail.json")], directory)
        #expect(failed.status == 1)
        #expect(try decodeGate(directory.path("fail.json")).verdict == .fail)
        let inconclusive = try gate(scenario("inconclusive") + ["--output", directory.path("i.json")], directory)
        #expect(inconclusive.status == 1)
        #expect(try decodeGate(directory.path("i.json")).verdict == .inconclusive)
        let policy = try directory.write(
            "canary.yaml", "agent:\n  name: support-agent\ngate:\n  inconclusive_blocks: false\n")
        let lenient = try gate(
            scenario("inconclusive") + ["--policy", policy, "--output", directory.path("i2.json")], directory)
        #expect(lenient.status == 0)
        #expect(try !decodeGate(directory.path("i2.json")).blocking)
    }

    @Test("Inspect AI logs gate end to end: the candidate's rejected refunds fail it")
    func inspect() throws {
        let directory = try TemporaryDirectory()
        let result = try gate(
            [
                "--candidate", "\(Self.fixtures)/inspect/candidate.json", "--baseline",
                "\(Self.fixtures)/inspect/baseline.json", "--agent", "support-agent", "--output",
                directory.path("gate.json"),
            ], directory)
        #expect(result.status == 1)
        let artifact = try decodeGate(directory.path("gate.json"))
        #expect(artifact.formats == ["baseline": "inspect", "candidate": "inspect"])
        #expect(artifact.metrics.first { $0.name == "unauthorized_actions" }?.status == .fail)
        #expect(artifact.tasks.baselineInfraErrors == 3 && artifact.tasks.baselineOnly == 0)
        #expect(artifact.tasks.candidateOnly == 1)
    }

    @Test(
        "usage errors exit 64",
        arguments: [
            ["--baseline", "b.jsonl"],
            ["--candidate", "c.jsonl"],
            ["--candidate", "c.jsonl", "--baseline", "b.jsonl", "--baseline-from-ledger"],
            ["--candidate", "c.jsonl", "--baseline", "b.jsonl", "--no-such-flag"],
        ])
    func usage(arguments: [String]) throws {
        let directory = try TemporaryDirectory()
        let result = try gate(arguments, directory)
        #expect(result.status == 64)
        #expect(!result.stderr.isEmpty && result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory.path("ledger.sqlite")))
    }

    @Test("one message names everything the gate does not know: the agent and both versions")
    func unidentified() throws {
        let directory = try TemporaryDirectory()
        for side in ["candidate", "baseline"] {
            let rows = try String(
                contentsOfFile: Repository.path("\(Self.fixtures)/native/pass/\(side).jsonl"), encoding: .utf8)
            try directory.write(
                "\(side).jsonl",
                rows.replacingOccurrences(of: #""version":"[^"]*","#, with: "", options: .regularExpression))
        }
        let files = ["--candidate", directory.path("candidate.jsonl"), "--baseline", directory.path("baseline.jsonl")]
        let result = try gate(files, directory)
        #expect(result.status == 64)
        let message = try #require(result.stderr.split(separator: "\n").first.map(String.init))
        for flag in ["--agent", "--candidate-version", "--baseline-version"] {
            #expect(message.contains(flag), "\(message)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("ledger.sqlite")))
        // Given what it asked for, the same command runs.
        let named = try gate(
            files + [
                "--agent", "support-agent", "--candidate-version", "1.5.0", "--baseline-version", "1.4.0", "--output",
                directory.path("gate.json"),
            ],
            directory)
        #expect(named.status == 0, "\(named.stderr)")
    }

    /// The first example of the `benchmark-gate` article, run line by line as written.
    @Test("the benchmark-gate article's first example runs as written on files agent-sim suite makes")
    func articleExample() throws {
        let article = try String(
            contentsOfFile: Repository.path("Sources/Stages/Stages.docc/BenchmarkGate.md"), encoding: .utf8)
        let block = try #require(article.range(of: "```sh\n"))
        let end = try #require(article[block.upperBound...].range(of: "```"))
        let lines = article[block.upperBound..<end.lowerBound].split(separator: "\n").map {
            String($0.prefix { $0 != "#" }).split(separator: " ").map(String.init)
        }.filter { !$0.isEmpty }
        #expect(lines.map(\.first) == ["agent-sim", "benchmark-gate"])
        let directory = try TemporaryDirectory()
        for words in lines {
            let result = try Tool.run(try #require(words.first), Array(words.dropFirst()), in: directory.url)
            #expect(result.status == 0, "\(words.joined(separator: " ")): \(result.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: directory.path(".agent-canary/ledger.sqlite")))
    }

    /// Every kind of bad input gets 65 or 66 and one message naming the file, line and field; the ledger
    /// and the output files stay exactly as they were.
    @Test(
        "bad input leaves the ledger and outputs as they were",
        arguments: [
            ("", 65, "candidate.jsonl: the file is empty"),
            (
                "{\"task_id\":\"t1\",\"success\":true}\n{\"task_id\":\"t2\",\"suc", 65,
                "candidate.jsonl:2: not valid JSON"
            ),
            (
                "{\"task_id\":\"t1\",\"success\":\"yes\"}", 65,
                "candidate.jsonl:1: field 'success': expected true or false"
            ),
            (
                "{\"task_id\":\"t1\",\"success\":true,\"cost_usd\":-1}", 65,
                "candidate.jsonl:1: field 'cost_usd': -1.0 is out of range"
            ),
            (
                "{\"task_id\":\"t1\",\"success\":true,\"cost_usd\":NaN}", 65,
                "candidate.jsonl:1: field 'cost_usd': expected a number"
            ),
            (
                "{\"task_id\":\"t1\",\"success\":true}\n{\"task_id\":\"t1\",\"success\":true}", 65,
                "candidate.jsonl:2: field 'trial': task 't1' trial 1 already appeared on line 1"
            ),
            ("task_id,success\nt1,true\n", 65, "candidate.jsonl: unknown format"),
            ("{\"task_id\":\"zz\",\"success\":true}", 65, "have no task in common (field 'task_id')"),
            (
                "{\"task_id\":\"t1\",\"success\":true}\n{\"task_id\":\"zz\",\"success\":true}", 65,
                "66.7 % of the tasks are present on one side only (field 'task_id'"
            ),
            ("MISSING", 66, "candidate.jsonl: no such file"),
        ])
    func badInput(content: String, status: Int32, message: String) throws {
        let directory = try TemporaryDirectory()
        // A first, good gate fills the ledger and writes the outputs.
        let base = try directory.write(
            "baseline.jsonl", "{\"task_id\":\"t1\",\"success\":true}\n{\"task_id\":\"t2\",\"success\":true}\n")
        let good = try gate(
            [
                "--candidate", base, "--baseline", base, "--agent", "a", "--candidate-version", "2",
                "--baseline-version",
                "1", "--output", directory.path("gate.json"), "--junit", directory.path("junit.xml"),
            ], directory)
        #expect(good.status == 1 || good.status == 0)
        let before = try directory.snapshot()
        let candidate = directory.path("candidate.jsonl")
        if content != "MISSING" { try directory.write("candidate.jsonl", content) }
        let result = try gate(
            [
                "--candidate", candidate, "--baseline", base, "--agent", "a", "--candidate-version", "3",
                "--baseline-version", "1", "--output", directory.path("gate.json"), "--junit",
                directory.path("junit.xml"),
            ],
            directory)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stdout.isEmpty)
        var after = try directory.snapshot()
        after.removeValue(forKey: "candidate.jsonl")
        #expect(after == before, "files changed: \(after.keys.filter { after[$0] != before[$0] }.sorted())")
    }

    @Test("a bad policy names its file, line and field, with exit 65; a missing one exits 66")
    func badPolicy() throws {
        let directory = try TemporaryDirectory()
        let policy = try directory.write("canary.yaml", "agent:\n  name: a\ngate:\n  criteria:\n    sucess_rate: {}\n")
        let result = try gate(scenario("pass") + ["--policy", policy], directory)
        #expect(result.status == 65)
        #expect(
            result.stderr.contains("canary.yaml:5: field 'gate.criteria.sucess_rate' is not part of the release policy")
        )
        let missing = try gate(scenario("pass") + ["--policy", directory.path("nope.yaml")], directory)
        #expect(missing.status == 66)
        #expect(!FileManager.default.fileExists(atPath: directory.path("ledger.sqlite")))
    }

    @Test("an output that cannot be written is an internal error (70) and leaves the ledger empty")
    func unwritableOutput() throws {
        let directory = try TemporaryDirectory()
        let blocker = try directory.write("file", "not a directory")
        let result = try gate(scenario("pass") + ["--output", blocker + "/gate.json"], directory)
        #expect(result.status == 70)
        #expect(result.stderr.contains("cannot be written"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("ledger.sqlite")))
    }

    @Test("under GitHub Actions: outputs, step summary and annotations")
    func githubActions() throws {
        let directory = try TemporaryDirectory()
        let outputFile = try directory.write("github_output", "")
        let summaryFile = try directory.write("step_summary", "# earlier step\n")
        let result = try gate(
            scenario("fail") + ["--output", directory.path("gate.json")], directory,
            environment: ["GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": outputFile, "GITHUB_STEP_SUMMARY": summaryFile])
        #expect(result.status == 1)
        let outputs = try String(contentsOfFile: outputFile, encoding: .utf8)
        #expect(outputs.contains("verdict=fail\n"))
        #expect(outputs.contains("gate_result=\(directory.path("gate.json"))\n"))
        // Multi-line values use a heredoc with a random delimiter.
        let heredoc = try #require(outputs.split(separator: "\n").first { $0.hasPrefix("reasons<<") })
        let delimiter = String(heredoc.dropFirst("reasons<<".count))
        #expect(delimiter.hasPrefix("ghadelimiter_") && outputs.contains("\n\(delimiter)\n"))
        let summary = try String(contentsOfFile: summaryFile, encoding: .utf8)
        #expect(summary.hasPrefix("# earlier step\n## benchmark-gate"))
        #expect(result.stdout.contains("::error title=benchmark-gate fail::success_rate: the candidate"))
    }

    @Test("--baseline-from-ledger compares with the last passing version, and history lists the gates")
    func baselineFromLedgerAndHistory() throws {
        let directory = try TemporaryDirectory()
        let first = try gate(scenario("pass") + ["--output", directory.path("g1.json")], directory)
        #expect(first.status == 0)
        let second = try gate(
            [
                "--candidate", "\(Self.fixtures)/native/pass/candidate.jsonl", "--baseline-from-ledger", "--agent",
                "support-agent", "--candidate-version", "1.6.0", "--output", directory.path("g2.json"),
            ], directory)
        #expect(second.status == 0, "\(second.stderr)")
        let artifact = try decodeGate(directory.path("g2.json"))
        #expect(artifact.baselineVersion == "1.5.0")
        #expect(artifact.metrics.first { $0.name == "success_rate" }?.difference == 0)
        let history = try Tool.run(
            "benchmark-gate",
            ["history", "--agent", "support-agent", "--json", "--ledger", directory.path("ledger.sqlite")])
        #expect(history.status == 0)
        let lines = history.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].contains("\"candidate_version\":\"1.6.0\""))
        let none = try gate(
            [
                "--candidate", "\(Self.fixtures)/native/pass/candidate.jsonl", "--baseline-from-ledger", "--agent",
                "other",
            ],
            directory)
        #expect(none.status == 66)
        let check = try Tool.run("benchmark-gate", ["ledger", "check", "--ledger", directory.path("ledger.sqlite")])
        #expect(check.status == 0 && check.stdout.hasPrefix("ok "))
    }

    @Test("commands that only read the ledger refuse a missing one (66) and create none")
    func readOnlyCommandsCreateNoLedger() throws {
        let directory = try TemporaryDirectory()
        let commands: [(tool: String, arguments: [String])] = [
            ("benchmark-gate", ["history", "--agent", "support-agent", "--ledger", "missing.sqlite"]),
            ("monitor", ["ledger", "check", "--ledger", "missing.sqlite"]),
            ("feedback-export", ["list", "--ledger", "missing.sqlite"]),
            ("canary-deploy", ["ledger", "copy", "missing.sqlite", "copy.sqlite"]),
        ]
        for command in commands {
            let result = try Tool.run(command.tool, command.arguments, in: directory.url)
            #expect(result.status == 66, "\(command.tool) \(command.arguments): \(result.stderr)")
            #expect(result.stderr.contains("no ledger at missing.sqlite"), "\(result.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }

    @Test("a URL of another scheme is refused (64) by every command that opens an existing ledger, password unsaid")
    func otherSchemeRefused() throws {
        let directory = try TemporaryDirectory()
        let url = "mysql://canary:not-to-be-printed@127.0.0.1/canary"
        let commands: [(tool: String, arguments: [String])] = [
            ("feedback-export", ["--run", "r", "--out-dir", "dataset"]),
            ("monitor", ["analyze", "--run", "r", "--events", "events.jsonl", "--output", "analysis.json"]),
            ("canary-deploy", ["status"]),
            ("benchmark-gate", ["history", "--agent", "a"]),
        ]
        for command in commands {
            let result = try Tool.run(command.tool, command.arguments + ["--ledger", url], in: directory.url)
            #expect(result.status == 64, "\(command.tool): \(result.stderr)")
            #expect(result.stderr.contains("'mysql://' is not a ledger"), "\(result.stderr)")
            #expect(!(result.stdout + result.stderr).contains("not-to-be-printed"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }

    @Test("AGENT_CANARY_LEDGER names the ledger when --ledger is absent")
    func ledgerFromEnvironment() throws {
        let directory = try TemporaryDirectory()
        let result = try Tool.run(
            "benchmark-gate", scenario("pass") + ["--output", directory.path("gate.json")],
            environment: ["AGENT_CANARY_LEDGER": directory.path("env/ledger.sqlite")])
        #expect(result.status == 0)
        #expect(FileManager.default.fileExists(atPath: directory.path("env/ledger.sqlite")))
    }

    /// Golden files: the summary, the JUnit report and the artifact of a failing gate, byte for byte.
    /// Re-record with `RECORD_SNAPSHOTS=1 swift test`.
    @Test("golden summary, JUnit and artifact")
    func golden() throws {
        let directory = try TemporaryDirectory()
        let result = try gate(
            scenario("fail") + [
                "--run-id", "run-golden", "--candidate-version", "1.5.0", "--policy",
                "\(Self.fixtures)/canary.yaml", "--output", directory.path("gate.json"), "--junit",
                directory.path("junit.xml"), "--summary", directory.path("summary.md"),
            ], directory)
        #expect(result.status == 1)
        for (file, golden) in [
            ("summary.md", "gate-summary.md"), ("junit.xml", "gate-junit.xml"), ("gate.json", "gate-result.json"),
        ] {
            let actual = try String(contentsOfFile: directory.path(file), encoding: .utf8)
            Golden.check(actual, golden)
        }
        #expect(result.stdout.hasPrefix(try String(contentsOfFile: directory.path("summary.md"), encoding: .utf8)))
    }

    @Test("the same inputs give the same artifact bytes")
    func deterministic() throws {
        let directory = try TemporaryDirectory()
        let arguments = scenario("fail") + ["--run-id", "same"]
        _ = try gate(arguments + ["--output", directory.path("a.json")], directory)
        _ = try gate(arguments + ["--output", directory.path("b.json")], directory)
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: directory.path("a.json")))
                == Data(contentsOf: URL(fileURLWithPath: directory.path("b.json"))))
    }
}

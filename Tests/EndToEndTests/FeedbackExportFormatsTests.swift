import Foundation
import TestSupport
import Testing

/// Every kind and format of `feedback-export` on one ledger filled by the real `monitor` — a canary run with
/// rogue actions, failures, feedback and planted personal data, and a shadow run of the same agent — compared
/// byte for byte with golden files that `.ci/run` validates against the schemas. Re-record with
/// `RECORD_SNAPSHOTS=1 swift test --filter FeedbackExportFormatsTests`.
@Suite("feedback-export formats and kinds")
struct FeedbackExportFormatsTests {
    static let canaryPolicy = """
        agent: {name: support-agent}
        rollout:
          steps: [{weight: 50}]
        export:
          redact:
            - {name: order_number, pattern: '\\bORD-[0-9]{8}\\b'}

        """
    static let shadowPolicy = "agent: {name: support-agent}\nrollout:\n  mode: shadow\n  steps: [{weight: 30}]\n"

    /// Planted content: a failed task carrying personal data, a secret and an order number (the policy's own
    /// pattern), rated 1 with a comment carrying a phone number.
    static let planted = [
        #"{"type":"task","ts":"2026-11-26T00:02:00Z","event_id":"planted","version":"1.5.0","conversation_id":"planted-c","#
            + #""task_id":"planted-t","outcome":"failure","input":"refund ORD-12345678 for jane.doe@example.com, card "#
            + #"4111 1111 1111 1111, key AKIAIOSFODNN7EXAMPLE","output":"Sent to 192.168.1.20 with Bearer abc.def.ghi"}"#,
        #"{"type":"feedback","ts":"2026-11-26T00:03:00Z","event_id":"planted-f","version":"1.5.0","task_id":"planted-t","#
            + #""rating":1,"comment":"call me on +1 415 555 2671"}"#,
    ]

    /// The ledger: run `run-export-canary` (rogue scenario, planted records) and `run-export-shadow` (shadow
    /// mode), both of `support-agent`, each read by one look.
    static func ledger() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let canary = try LoopFixtures.startedRun(
            in: directory, policy: canaryPolicy, runId: "run-export-canary", policyFile: "canary.yaml",
            outDir: "out-canary")
        try LoopFixtures.simulate(
            [
                "--scenario", "rogue", "--rogue-rate", "0.1", "--conversations", "60", "--weight", "50", "--seed", "7",
                "--start", "2026-11-26T00:01:00Z", "--out", "canary.jsonl",
            ], in: directory)
        try directory.write("planted.jsonl", planted.joined(separator: "\n") + "\n")
        let first = try LoopFixtures.monitor(
            [
                "analyze", "--run", canary, "--policy", "canary.yaml", "--events", "canary.jsonl", "--events",
                "planted.jsonl", "--output", "analysis-canary.json",
            ], in: directory)
        #expect(first.status <= 1, "\(first.stderr)")
        let shadow = try LoopFixtures.startedRun(
            in: directory, policy: shadowPolicy, runId: "run-export-shadow", policyFile: "shadow.yaml",
            outDir: "out-shadow")
        try LoopFixtures.simulate(
            [
                "--scenario", "good", "--conversations", "60", "--weight", "30", "--shadow", "--seed", "8",
                "--id-prefix", "shadow", "--start", "2026-11-26T00:01:00Z", "--out", "shadow.jsonl",
            ], in: directory)
        let second = try LoopFixtures.monitor(
            [
                "analyze", "--run", shadow, "--policy", "shadow.yaml", "--events", "shadow.jsonl", "--output",
                "analysis-shadow.json",
            ], in: directory)
        #expect(second.status <= 1, "\(second.stderr)")
        return directory
    }

    static func export(
        _ arguments: [String], environment: [String: String] = [:], in directory: TemporaryDirectory
    ) throws -> ToolResult {
        try Tool.run(
            "feedback-export", arguments + ["--ledger", "ledger.sqlite", "--policy", "canary.yaml"],
            environment: LoopFixtures.environment.merging(environment) { $1 }, in: directory.url)
    }

    static func manifest(_ path: String) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    @Test(
        "every format matches its golden files; every kind is exported; planted values are redacted",
        .requires(.sqlite3))
    func goldens() throws {
        let directory = try Self.ledger()
        let exports: [(name: String, arguments: [String], file: String)] = [
            (
                "native",
                [
                    "--agent", "support-agent", "--kind", "all", "--split", "train=0.8,eval=0.2", "--junit",
                    "native-junit.xml", "--summary", "native-summary.md", "--dotenv", "native.env",
                ], "train.jsonl"
            ),
            ("csv", ["--run", "run-export-canary", "--kind", "all", "--format", "csv"], "all.csv"),
            (
                "openai-sft", ["--run", "run-export-canary", "--kind", "successes", "--format", "openai-sft"],
                "all.jsonl"
            ),
            ("openai-dpo", ["--run", "run-export-shadow", "--format", "openai-dpo"], "all.jsonl"),
            ("trl-preference", ["--run", "run-export-shadow", "--format", "trl-preference"], "all.jsonl"),
            (
                "benchmark-tasks",
                [
                    "--run", "run-export-canary", "--kind", "failures", "--arm", "candidate", "--format",
                    "benchmark-tasks",
                ],
                "all.jsonl"
            ),
        ]
        try directory.write("github-output", "")
        let github = ["GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": directory.path("github-output")]
        for export in exports {
            let result = try Self.export(
                export.arguments + ["--out-dir", export.name], environment: export.name == "native" ? github : [:],
                in: directory)
            #expect(result.status == 0, "\(export.name): \(result.stderr)")
            for file in [export.file, "manifest.json"] {
                let actual = try String(contentsOfFile: directory.path("\(export.name)/\(file)"), encoding: .utf8)
                #expect(!actual.isEmpty)
                for secret in [
                    "jane.doe@example.com", "4111 1111 1111 1111", "AKIAIOSFODNN7EXAMPLE", "ORD-12345678",
                    "555 2671", "192.168.1.20", "abc.def.ghi",
                ] {
                    #expect(!actual.contains(secret), "\(export.name)/\(file) holds \(secret)")
                }
                let golden = "feedback-export/\(export.name)/\(file)"
                Golden.check(actual, golden)
            }
        }
        // CI outputs: JUnit (one passed case per kind), summary, dotenv, GitHub step outputs.
        let junit = try String(contentsOfFile: directory.path("native-junit.xml"), encoding: .utf8)
        Golden.check(junit, "feedback-export/native-junit.xml")
        let dotenv = try String(contentsOfFile: directory.path("native.env"), encoding: .utf8)
        #expect(dotenv.contains("AGENT_CANARY_RECORDS=312") && dotenv.contains("AGENT_CANARY_DATASET_DIR=native"))
        let outputs = try String(contentsOfFile: directory.path("github-output"), encoding: .utf8)
        #expect(outputs.contains("records=312\n") && outputs.contains("manifest=native/manifest.json\n"))
        let summary = try String(contentsOfFile: directory.path("native-summary.md"), encoding: .utf8)
        #expect(summary.contains("| rogue-actions | 10 |") && summary.contains("| order_number | 2 |"))
        // Each source run records the export as a stage with the manifest and the CI files as artifacts.
        let stages = try runCommand(
            try ExternalTool.sqlite3.require(),
            [
                directory.path("ledger.sqlite"),
                "SELECT s.run_id, group_concat(a.kind) FROM stages s JOIN artifacts a ON a.stage_id = s.id "
                    + "WHERE s.tool = 'feedback-export' AND s.arguments LIKE '%native-junit%' GROUP BY s.id ORDER BY s.run_id",
            ])
        #expect(
            stages.output
                == "run-export-canary|dataset-manifest,junit,summary,dotenv\nrun-export-shadow|dataset-manifest,junit,summary,dotenv\n",
            "\(stages.output)")
        // The native export covers every kind, from both runs, and counted every planted value under its rule.
        let native = try Self.manifest(directory.path("native/manifest.json"))
        let kinds = native["counts_by_kind"] as? [String: Int] ?? [:]
        for kind in ["failures", "rogue-actions", "negative-feedback", "shadow-disagreements", "successes"] {
            #expect((kinds[kind] ?? 0) > 0, "no \(kind)")
        }
        #expect(native["source_runs"] as? [String] == ["run-export-canary", "run-export-shadow"])
        let redaction = native["redaction"] as? [String: Int] ?? [:]
        for rule in ["email", "payment_card", "aws_access_key", "order_number", "phone", "ipv4", "bearer_token"] {
            #expect((redaction[rule] ?? 0) >= 1, "\(rule): \(redaction)")
        }
        // One kind at a time gives that kind's records of the full export.
        for (kind, count) in kinds {
            let single = try Self.export(
                ["--agent", "support-agent", "--kind", kind, "--out-dir", "single-\(kind)"], in: directory)
            #expect(single.status == 0, "\(single.stderr)")
            let manifest = try Self.manifest(directory.path("single-\(kind)/manifest.json"))
            #expect(manifest["counts_by_kind"] as? [String: Int] == [kind: count])
        }
    }

    @Test(
        "the CSV is read back by Python's csv module with one row per record and the header's columns",
        .requires(.python3))
    func csvReadsBack() throws {
        let directory = try Self.ledger()
        let result = try Self.export(
            ["--all", "--kind", "all", "--format", "csv", "--out-dir", "csv"], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let records = try Self.manifest(directory.path("csv/manifest.json"))["records"] as? Int ?? -1
        let read = try runCommand(
            try ExternalTool.python3.require(),
            [
                "-c",
                """
                import csv, json, sys
                rows = list(csv.DictReader(open(sys.argv[1], newline="")))
                assert all(len(row) == 27 and None not in row for row in rows)
                assert all(json.loads(row["tool_calls"]) is not None for row in rows)
                assert all(isinstance(json.loads(row["labels"]), dict) for row in rows)
                print(len(rows))
                """, directory.path("csv/all.csv"),
            ])
        #expect(read.status == 0, "\(read.output)")
        #expect(read.output.split(separator: "\n").last.map(String.init) == String(records))
    }

    @Test("--arm, --since and --since-last select what they say")
    func selection() throws {
        let directory = try Self.ledger()
        let both = try Self.export(["--all", "--kind", "failures", "--out-dir", "both"], in: directory)
        #expect(both.status == 0, "\(both.stderr)")
        let arms = try Self.manifest(directory.path("both/manifest.json"))["counts_by_arm"] as? [String: Int] ?? [:]
        #expect((arms["baseline"] ?? 0) > 0 && (arms["candidate"] ?? 0) > 0)
        let candidate = try Self.export(
            ["--all", "--kind", "failures", "--arm", "candidate", "--out-dir", "candidate"], in: directory)
        #expect(candidate.status == 0, "\(candidate.stderr)")
        #expect(
            try Self.manifest(directory.path("candidate/manifest.json"))["counts_by_arm"] as? [String: Int]
                == ["candidate": arms["candidate"] ?? 0])
        // The simulated conversations start at 00:01 at 2 per second; only the later ones are kept.
        let since = try Self.export(
            ["--all", "--kind", "failures", "--since", "2026-11-26T00:01:20Z", "--out-dir", "since"], in: directory)
        #expect(since.status == 0, "\(since.stderr)")
        let sinceRecords = try Self.manifest(directory.path("since/manifest.json"))["records"] as? Int ?? 0
        #expect(sinceRecords > 0 && sinceRecords < arms.values.reduce(0, +))
        let text = try String(contentsOfFile: directory.path("since/all.jsonl"), encoding: .utf8)
        let cutoff = 1_795_651_280.0
        for line in text.split(separator: "\n") {
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect((record?["ts"] as? Double ?? 0) >= cutoff)
        }
        // --since-last: the first export takes everything, the second nothing, a new look's records come next.
        let incremental = ["--run", "run-export-canary", "--kind", "failures", "--since-last"]
        let first = try Self.export(incremental + ["--out-dir", "inc-1"], in: directory)
        #expect(first.status == 0 && !first.stdout.contains("exported 0 record(s)"), "\(first.stdout)")
        let second = try Self.export(incremental + ["--out-dir", "inc-2"], in: directory)
        #expect(second.stdout.contains("exported 0 record(s)"), "\(second.stdout)")
        try LoopFixtures.simulate(
            [
                "--scenario", "rogue", "--conversations", "30", "--weight", "50", "--seed", "9", "--id-prefix",
                "later", "--start", "2026-11-26T00:05:00Z", "--out", "later.jsonl",
            ], in: directory)
        let look = try LoopFixtures.monitor(
            [
                "analyze", "--run", "run-export-canary", "--policy", "canary.yaml", "--events", "later.jsonl",
                "--output", "analysis-later.json",
            ], in: directory)
        #expect(look.status <= 1, "\(look.stderr)")
        let third = try Self.export(incremental + ["--out-dir", "inc-3"], in: directory)
        #expect(third.status == 0, "\(third.stderr)")
        let later = try String(contentsOfFile: directory.path("inc-3/all.jsonl"), encoding: .utf8)
        #expect(!later.isEmpty)
        #expect(
            later.split(separator: "\n").allSatisfy { $0.contains("\"conversation_id\":\"later-") },
            "\(later.prefix(300))")
    }

    /// Bad input: each case exits with its documented status, names what is wrong, and leaves the directory
    /// (ledger, earlier dataset) byte for byte as it was.
    @Test("bad input: documented exit status, a message naming the problem, nothing written")
    func badInput() throws {
        let directory = try Self.ledger()
        let first = try Self.export(["--all", "--kind", "failures", "--out-dir", "dataset"], in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        try directory.write(
            "bad-pattern.yaml", "agent: {name: support-agent}\nexport:\n  redact:\n    - {name: x, pattern: '(['}\n")
        try directory.write(
            "bad-name.yaml", "agent: {name: support-agent}\nexport:\n  redact:\n    - {name: X-Y, pattern: 'a'}\n")
        try directory.write("blocker", "a file where the dataset's parent directory should be")
        let cases: [(arguments: [String], status: Int32, message: String)] = [
            (["--run", "run-nope", "--out-dir", "dataset"], 66, "run run-nope is not in the ledger"),
            (["--all", "--out-dir", "dataset", "--ledger", "missing.sqlite"], 66, "no ledger at missing.sqlite"),
            (["--all", "--kind", "everything", "--out-dir", "dataset"], 64, "--kind 'everything'"),
            (["--all", "--split", "train=0.7,eval=0.2", "--out-dir", "dataset"], 64, "sum to"),
            (["--all", "--format", "parquet", "--out-dir", "dataset"], 64, "--format"),
            (["--all", "--since", "yesterday", "--out-dir", "dataset"], 64, "RFC 3339"),
            (["--run", "run-export-canary", "--all", "--out-dir", "dataset"], 64, "choose one of"),
            (
                ["--all", "--out-dir", "dataset", "--policy", "bad-pattern.yaml"], 65,
                "bad-pattern.yaml:4: field 'export.redact[0].pattern'"
            ),
            (
                ["--all", "--out-dir", "dataset", "--policy", "bad-name.yaml"], 65,
                "bad-name.yaml:4: field 'export.redact[0].name'"
            ),
            (["--all", "--out-dir", "blocker/dataset"], 70, "blocker/dataset: cannot be written"),
        ]
        let before = try directory.snapshot()
        for item in cases {
            var arguments = item.arguments
            if !arguments.contains("--ledger") { arguments += ["--ledger", "ledger.sqlite"] }
            if !arguments.contains("--policy") { arguments += ["--policy", "canary.yaml"] }
            let result = try Tool.run("feedback-export", arguments, in: directory.url)
            #expect(result.status == item.status, "\(item.arguments): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(item.message), "\(item.arguments): \(result.stderr)")
            #expect(try directory.snapshot() == before, "\(item.arguments) changed the directory")
        }
    }

    /// Telemetry without content (OTLP traces from `--no-content`): records carry their trace and span ids and
    /// null content, never made-up text; the content-only formats skip them and say so in the manifest.
    @Test("records without content are exported with references only")
    func withoutContent() throws {
        let directory = try TemporaryDirectory()
        let run = try LoopFixtures.startedRun(in: directory)
        try LoopFixtures.simulate(
            [
                "--scenario", "regressed", "--conversations", "200", "--weight", "50", "--format", "otlp",
                "--no-content", "--start", "2026-11-26T00:01:00Z", "--out", "traces.jsonl",
            ], in: directory)
        let look = try LoopFixtures.monitor(
            ["analyze", "--run", run, "--policy", "canary.yaml", "--otlp", "traces.jsonl", "--output", "a.json"],
            in: directory)
        #expect(look.status <= 1, "\(look.stderr)")
        let native = try Tool.run(
            "feedback-export",
            ["--run", run, "--kind", "failures", "--out-dir", "native", "--ledger", "ledger.sqlite"],
            in: directory.url)
        #expect(native.status == 0, "\(native.stderr)")
        let manifest = try Self.manifest(directory.path("native/manifest.json"))
        let records = manifest["records"] as? Int ?? 0
        #expect(records > 0 && manifest["records_without_content"] as? Int == records)
        let text = try String(contentsOfFile: directory.path("native/all.jsonl"), encoding: .utf8)
        for line in text.split(separator: "\n") {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(record["content_available"] as? Bool == false)
            #expect(record["input"] is NSNull && record["output"] is NSNull)
            #expect((record["trace_id"] as? String)?.count == 32 && (record["span_id"] as? String)?.count == 16)
            #expect((record["event_id"] as? String)?.hasPrefix("span:") == true)
        }
        let tasks = try Tool.run(
            "feedback-export",
            [
                "--run", run, "--kind", "failures", "--format", "benchmark-tasks", "--out-dir", "tasks", "--ledger",
                "ledger.sqlite",
            ], in: directory.url)
        #expect(tasks.status == 0, "\(tasks.stderr)")
        let tasksManifest = try Self.manifest(directory.path("tasks/manifest.json"))
        #expect(tasksManifest["records"] as? Int == 0 && tasksManifest["records_not_used"] as? Int == records)
    }
}

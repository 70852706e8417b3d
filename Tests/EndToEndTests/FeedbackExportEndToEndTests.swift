import BenchmarkResults
import Datasets
import Foundation
import TestSupport
import Testing
import ToolContract

/// `feedback-export` on a ledger filled by the real `monitor` from simulated telemetry (work in progress:
/// native and csv formats).
@Suite("feedback-export end to end")
struct FeedbackExportEndToEndTests {
    @Test(
        "splits never share a conversation; checksums match; --since-last exports nothing new; planted secrets are redacted"
    )
    func exportRun() throws {
        let directory = try TemporaryDirectory()
        let run = try LoopFixtures.startedRun(in: directory)
        try LoopFixtures.simulate(
            [
                "--scenario", "rogue", "--conversations", "800", "--weight", "50", "--start", "2026-11-26T00:01:00Z",
                "--out", "events.jsonl",
            ], in: directory)
        // A failed task whose content carries personal data and a secret.
        try directory.write(
            "planted.jsonl",
            "{\"type\":\"task\",\"ts\":\"2026-11-26T00:02:00Z\",\"event_id\":\"planted\",\"version\":\"1.5.0\","
                + "\"conversation_id\":\"planted-c\",\"task_id\":\"planted-t\",\"outcome\":\"failure\","
                + "\"input\":\"refund jane.doe@example.com card 4111 1111 1111 1111 key AKIAIOSFODNN7EXAMPLE\"}\n")
        let look = try LoopFixtures.monitor(
            [
                "analyze", "--run", run, "--policy", "canary.yaml", "--events", "events.jsonl", "--events",
                "planted.jsonl",
                "--output", "analysis.json",
            ], in: directory)
        #expect(look.status <= 1, "\(look.stderr)")
        let arguments = [
            "--run", run, "--kind", "all", "--split", "train=0.8,eval=0.2", "--ledger", "ledger.sqlite", "--since-last",
        ]
        let first = try Tool.run("feedback-export", arguments + ["--out-dir", "dataset"], in: directory.url)
        #expect(first.status == 0, "\(first.stderr)")
        let manifest =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: directory.path("dataset/manifest.json")))) as? [String: Any]
        let files = manifest?["files"] as? [[String: Any]] ?? []
        #expect(files.count == 2)
        var splitsOf: [String: Set<String>] = [:]
        var total = 0
        for file in files {
            let path = directory.path("dataset/\(file["path"] as? String ?? "")")
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(Digest.sha256(data) == file["sha256"] as? String, "\(path)")
            let text = String(decoding: data, as: UTF8.self)
            #expect(!text.contains("jane.doe@example.com") && !text.contains("4111 1111 1111 1111"))
            #expect(!text.contains("AKIAIOSFODNN7EXAMPLE"))
            for line in text.split(separator: "\n") {
                let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                let conversation = record?["conversation_id"] as? String ?? ""
                splitsOf[conversation, default: []].insert(file["split"] as? String ?? "")
                total += 1
            }
        }
        #expect(total == manifest?["records"] as? Int)
        #expect(total > 0)
        #expect(splitsOf.values.allSatisfy { $0.count == 1 })
        let kinds = manifest?["counts_by_kind"] as? [String: Int] ?? [:]
        #expect((kinds["rogue-actions"] ?? 0) > 0 && (kinds["failures"] ?? 0) > 0)
        let redaction = manifest?["redaction"] as? [String: Int] ?? [:]
        #expect(redaction["email"] == 1 && redaction["payment_card"] == 1 && redaction["aws_access_key"] == 1)
        // Nothing new since: the second export is empty.
        let second = try Tool.run("feedback-export", arguments + ["--out-dir", "dataset-2"], in: directory.url)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("exported 0 record(s)"))
        let list = try Tool.run("feedback-export", ["list", "--ledger", "ledger.sqlite"], in: directory.url)
        #expect(list.stdout.contains("dataset-2"))
        // The candidate's failures as regression tasks, read by benchmark-gate's own reader.
        let tasks = try Tool.run(
            "feedback-export",
            [
                "--run", run, "--kind", "failures", "--kind", "rogue-actions", "--arm", "candidate", "--format",
                "benchmark-tasks", "--out-dir", "tasks", "--ledger", "ledger.sqlite",
            ], in: directory.url)
        #expect(tasks.status == 0, "\(tasks.stderr)")
        let suite = try BenchmarkReader.read(path: directory.path("tasks/all.jsonl"))
        #expect(!suite.attempts.isEmpty)
        #expect(suite.attempts.allSatisfy { $0.taskId.hasPrefix("regression-") && $0.success == false })
        #expect(suite.declaredVersion == "1.5.0")
    }
}

extension FeedbackExportEndToEndTests {
    @Test(
        "shadow disagreements become preference pairs (OpenAI DPO and TRL); successes become SFT lines",
        .requires(.pythonEnvironment))
    func trainingFormats() throws {
        let directory = try TemporaryDirectory()
        let run = try LoopFixtures.startedRun(
            in: directory, policy: "agent: {name: support-agent}\nrollout:\n  mode: shadow\n  steps: [{weight: 30}]\n")
        try LoopFixtures.simulate(
            [
                "--scenario", "good", "--conversations", "600", "--weight", "30", "--shadow", "--start",
                "2026-11-26T00:01:00Z", "--out", "events.jsonl",
            ], in: directory)
        let look = try LoopFixtures.monitor(
            [
                "analyze", "--run", run, "--policy", "canary.yaml", "--events", "events.jsonl", "--output",
                "analysis.json",
            ],
            in: directory)
        #expect(look.status == 0, "\(look.stderr)")
        for format in ["openai-dpo", "trl-preference", "openai-sft"] {
            let result = try Tool.run(
                "feedback-export",
                ["--run", run, "--kind", "all", "--format", format, "--out-dir", format, "--ledger", "ledger.sqlite"],
                in: directory.url)
            #expect(result.status == 0, "\(result.stderr)")
            let text = try String(contentsOfFile: directory.path("\(format)/all.jsonl"), encoding: .utf8)
            let lines = text.split(separator: "\n")
            #expect(!lines.isEmpty, "\(format) is empty")
            for line in lines {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                switch format {
                case "openai-dpo":
                    #expect(Set(object.keys) == ["input", "preferred_output", "non_preferred_output"])
                    #expect((object["input"] as? [String: Any])?["messages"] != nil)
                case "trl-preference":
                    #expect(Set(object.keys) == ["prompt", "chosen", "rejected"])
                default:
                    let messages = try #require(object["messages"] as? [[String: Any]])
                    #expect(messages.first?["role"] as? String == "user")
                    #expect(messages.last?["role"] as? String == "assistant")
                    #expect(messages.last?["weight"] as? Int == 1)
                }
            }
            // Hugging Face `datasets` reads the file, and every row has the format's fields.
            let required: [String: [String]] = [
                "openai-dpo": ["input", "preferred_output", "non_preferred_output"],
                "trl-preference": ["prompt", "chosen", "rejected"], "openai-sft": ["messages"],
            ]
            let load = try runCommand(
                try ExternalTool.pythonEnvironment.require(),
                [
                    "-c",
                    """
                    import sys
                    from datasets import load_dataset
                    data = load_dataset("json", data_files=sys.argv[1], split="train")
                    fields = sys.argv[2].split(",")
                    assert all(field in data.column_names for field in fields), data.column_names
                    assert all(all(row[field] is not None for field in fields) for row in data)
                    print(len(data))
                    """, directory.path("\(format)/all.jsonl"), (required[format] ?? []).joined(separator: ","),
                ],
                environment: [
                    "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                    "HOME": directory.path("home"), "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1",
                ])
            #expect(load.status == 0, "\(format): \(load.output)")
            #expect(load.output.split(separator: "\n").last.map(String.init) == String(lines.count), "\(load.output)")
            if format == "openai-dpo" {
                let manifest =
                    try JSONSerialization.jsonObject(
                        with: Data(contentsOf: URL(fileURLWithPath: directory.path("\(format)/manifest.json"))))
                    as? [String: Any]
                let evidence = manifest?["preference_evidence"] as? [[String: String]] ?? []
                #expect(evidence.count == lines.count)
                #expect(evidence.allSatisfy { $0["source"] == "shadow-disagreement" })
            }
        }
    }
}

extension FeedbackExportEndToEndTests {
    @Test("a killed export leaves the previous dataset and does not move the watermark", .requires(.sqlite3))
    func killedExport() throws {
        let directory = try TemporaryDirectory()
        let run = try LoopFixtures.startedRun(in: directory)
        try LoopFixtures.simulate(
            ["--conversations", "200", "--weight", "50", "--start", "2026-11-26T00:01:00Z", "--out", "events.jsonl"],
            in: directory)
        let look = try LoopFixtures.monitor(
            [
                "analyze", "--run", run, "--policy", "canary.yaml", "--events", "events.jsonl", "--output",
                "analysis.json",
            ],
            in: directory)
        #expect(look.status == 0, "\(look.stderr)")
        let arguments = ["--run", run, "--kind", "failures", "--out-dir", "dataset", "--ledger", "ledger.sqlite"]
        let first = try Tool.run("feedback-export", arguments, in: directory.url)
        #expect(first.status == 0, "\(first.stderr)")
        let before = try directory.snapshot().filter { $0.key.hasPrefix("dataset/") }
        let exportsBefore = try runCommand(
            try ExternalTool.sqlite3.require(), [directory.path("ledger.sqlite"), "SELECT count(*) FROM exports"])
        // Killed after writing every file, before renaming the new dataset into place.
        let running = try Tool.start(
            "feedback-export", arguments + ["--since-last"],
            environment: ["AGENT_CANARY_FAILPOINT": "export.before-rename"], in: directory.url)
        let deadline = Date().addingTimeInterval(30)
        while !running.stderrSoFar.contains("failpoint"), Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        kill(running.process.processIdentifier, SIGKILL)
        while running.process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(running.finish().status == 128 + SIGKILL)
        let after = try directory.snapshot().filter { $0.key.hasPrefix("dataset/") }
        #expect(after == before, "the dataset changed")
        let exportsAfter = try runCommand(
            try ExternalTool.sqlite3.require(), [directory.path("ledger.sqlite"), "SELECT count(*) FROM exports"])
        #expect(exportsAfter.output == exportsBefore.output)
        // The staging directory the kill left is the next export's to remove.
        func hidden() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: directory.url.path).filter { $0.hasPrefix(".dataset.") }
        }
        #expect(try hidden().count == 1)
        let next = try Tool.run("feedback-export", arguments, in: directory.url)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try hidden().isEmpty)
    }
}

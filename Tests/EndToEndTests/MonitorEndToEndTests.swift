import Analysis
import AnalysisCore
import Artifacts
import Foundation
import Policy
import TestSupport
import Testing
import ToolContract
import Vocabulary

/// Runs the built `monitor` binary on telemetry from the built `agent-sim`: decisions, the ledger, `--act`,
/// `rejudge`, incremental reading, OTLP, bad input and the outputs.
@Suite("monitor end to end")
struct MonitorEndToEndTests {
    @Test("explicit versions: a regressed candidate is rolled back; outputs match their golden files")
    func explicitVersions() throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", LoopFixtures.policy)
        try LoopFixtures.simulate(
            [
                "--scenario", "regressed", "--conversations", "2400", "--weight", "50", "--seed", "3", "--out",
                "events.jsonl",
            ],
            in: directory)
        let result = try LoopFixtures.monitor(
            [
                "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--policy", "canary.yaml",
                "--events", "events.jsonl", "--output", "analysis.json", "--metrics-file", "canary.prom", "--junit",
                "junit.xml", "--report", "report.html",
            ], in: directory)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("ROLLBACK"))
        let artifact = try LoopFixtures.analysis(directory.path("analysis.json"))
        #expect(artifact.judgement.decision == .rollback)
        #expect(artifact.judgement.reasons.contains { $0.contains("task_success_rate regressed") })
        #expect(artifact.judgement.reasons.contains { $0.contains("cost_per_task regressed") })
        #expect(artifact.runId.isEmpty && artifact.lookId == 1)
        for (name, file) in [
            ("monitor/analysis.json", "analysis.json"), ("monitor/canary.prom", "canary.prom"),
            ("monitor/analysis-junit.xml", "junit.xml"),
        ] {
            let actual = try String(contentsOfFile: directory.path(file), encoding: .utf8)
            Golden.check(actual, name)
        }
        // The look is in the ledger and recomputes identically.
        let rejudge = try LoopFixtures.monitor(["rejudge", "--look", "1"], in: directory)
        #expect(rejudge.status == 0, "\(rejudge.stderr)")
        #expect(rejudge.stdout.contains("identical"))
    }

    /// A directory with a passing gate in its ledger and `canary.yaml` with `steps` and the metrics the run
    /// tests judge.
    static func gatedWithStepPolicy(_ steps: String) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let gate = try Tool.run(
            "benchmark-gate",
            [
                "--candidate", "\(LoopFixtures.fixtures)/native/pass/candidate.jsonl", "--baseline",
                "\(LoopFixtures.fixtures)/native/pass/baseline.jsonl", "--agent", "support-agent", "--output",
                directory.path("gate.json"), "--ledger", directory.path("ledger.sqlite"),
            ])
        #expect(gate.status == 0)
        try directory.write(
            "canary.yaml",
            """
            agent: {name: support-agent}
            rollout:
              steps: \(steps)
            monitor:
              metrics:
                - {name: task_success_rate, margin: 0.05}
                - error_rate
                - rogue_action_rate
                - {name: cost_per_task, margin: 0.15}

            """)
        return directory
    }

    @Test("an analysis is evidence for one transition, at the step it judged, while it is the run's latest look")
    func evidenceIsNotReplayed() throws {
        let directory = try Self.gatedWithStepPolicy(
            "[{weight: 50, min_tasks: 300}, {weight: 80, min_tasks: 300}, {weight: 100, min_tasks: 300}]")
        func deploy(_ arguments: [String]) throws -> ToolResult {
            try Tool.run(
                "canary-deploy", arguments + ["--ledger", "ledger.sqlite", "--out-dir", "out"],
                environment: LoopFixtures.environment, in: directory.url)
        }
        #expect(
            try deploy(["start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "nginx"]).status == 0)
        let run = try ArtifactCoding.makeDecoder().decode(
            RolloutArtifact.self, from: Data(contentsOf: URL(fileURLWithPath: directory.path("out/rollout.json")))
        ).runId
        try LoopFixtures.simulate(
            [
                "--scenario", "good", "--conversations", "6000", "--weight", "50", "--start", "2026-11-26T00:10:00Z",
                "--rate", "20", "--out", "events.jsonl",
            ], in: directory)
        func look(_ output: String) throws -> AnalysisArtifact {
            let result = try LoopFixtures.monitor(
                ["analyze", "--run", run, "--policy", "canary.yaml", "--events", "events.jsonl", "--output", output],
                in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            return try LoopFixtures.analysis(directory.path(output))
        }
        // Two looks at the first step, both promote: the older one is no evidence once the newer one exists.
        #expect(try look("a1.json").judgement.decision == .promote)
        #expect(try look("a2.json").judgement.decision == .promote)
        let older = try deploy(["advance", "--analysis", "a1.json"])
        #expect(older.status == 1, "\(older.stderr)")
        #expect(older.stderr.contains("came after this one"), "\(older.stderr)")
        #expect(try deploy(["advance", "--analysis", "a2.json"]).status == 0)
        // Paused and resumed, the same analysis again: it already moved the rollout once, from another step.
        #expect(try deploy(["pause"]).status == 0)
        #expect(try deploy(["resume"]).status == 0)
        let replayed = try deploy(["advance", "--analysis", "a2.json"])
        #expect(replayed.status == 1, "\(replayed.stderr)")
        #expect(replayed.stderr.contains("already the evidence of the advance"), "\(replayed.stderr)")
        let artifact = try ArtifactCoding.makeDecoder().decode(
            RolloutArtifact.self, from: Data(contentsOf: URL(fileURLWithPath: directory.path("out/rollout.json"))))
        #expect(artifact.weight == 80 && artifact.history.map(\.command) == [.start, .advance, .pause, .resume])
    }

    @Test(
        "a run: --act advances, then promotes; each look is rejudged identically; files are read incrementally",
        .requires(.sqlite3))
    func runWithAct() throws {
        let directory = try Self.gatedWithStepPolicy("[{weight: 50, min_tasks: 300}, {weight: 100, min_tasks: 300}]")
        let start = try Tool.run(
            "canary-deploy",
            [
                "start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "nginx", "--ledger",
                "ledger.sqlite", "--out-dir", "out",
            ], environment: LoopFixtures.environment, in: directory.url)
        #expect(start.status == 0, "\(start.stderr)")
        let run = try ArtifactCoding.makeDecoder().decode(
            RolloutArtifact.self, from: Data(contentsOf: URL(fileURLWithPath: directory.path("out/rollout.json")))
        ).runId
        let look = [
            "analyze", "--run", run, "--policy", "canary.yaml", "--events", "events.jsonl", "--act", "--out-dir", "out",
            "--output", "analysis.json",
        ]
        // A first batch: too little data to promote.
        try LoopFixtures.simulate(
            [
                "--scenario", "good", "--conversations", "200", "--weight", "50", "--start", "2026-11-26T00:01:00Z",
                "--id-prefix", "a", "--out", "events.jsonl",
            ], in: directory)
        let first = try LoopFixtures.monitor(look, in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        let firstLook = try LoopFixtures.analysis(directory.path("analysis.json"))
        #expect(firstLook.judgement.decision == .continue)
        #expect(firstLook.judgement.sample.moreCandidateTasksNeeded > 0)
        let firstEnd = firstLook.ingestion.sources[0].toOffset
        // More telemetry appended to the same file: only the new part is read.
        try LoopFixtures.simulate(
            [
                "--scenario", "good", "--conversations", "6000", "--weight", "50", "--start", "2026-11-26T00:10:00Z",
                "--rate", "20", "--id-prefix", "b", "--out", "events.jsonl", "--append",
            ], in: directory)
        let second = try LoopFixtures.monitor(look, in: directory)
        #expect(second.status == 0, "\(second.stderr)")
        let secondLook = try LoopFixtures.analysis(directory.path("analysis.json"))
        #expect(secondLook.ingestion.sources[0].fromOffset == firstEnd)
        #expect(secondLook.judgement.sample.candidateTasks > firstLook.judgement.sample.candidateTasks)
        #expect(secondLook.judgement.decision == .promote, "\(secondLook.judgement.reasons)")
        #expect(second.stdout.contains("Acted:** advance"))
        // The same file again (and a copy of it): nothing new, nothing counted twice.
        try FileManager.default.copyItem(atPath: directory.path("events.jsonl"), toPath: directory.path("copy.jsonl"))
        let third = try LoopFixtures.monitor(look + ["--events", "copy.jsonl"], in: directory)
        #expect(third.status == 0, "\(third.stderr)")
        let thirdLook = try LoopFixtures.analysis(directory.path("analysis.json"))
        #expect(thirdLook.ingestion.newEvents == 0)
        #expect(thirdLook.ingestion.duplicateEvents > 0)
        #expect(thirdLook.judgement.sample.candidateTasks == secondLook.judgement.sample.candidateTasks)
        #expect(thirdLook.judgement.decision == .promote)
        #expect(third.stdout.contains("Acted:** promote"))
        let rollout = try ArtifactCoding.makeDecoder().decode(
            RolloutArtifact.self, from: Data(contentsOf: URL(fileURLWithPath: directory.path("out/rollout.json"))))
        #expect(rollout.phase == .promoted)
        let history = try Tool.run(
            "canary-deploy", ["status", "--run", run, "--ledger", "ledger.sqlite"], in: directory.url)
        #expect(history.stdout.contains("monitor"))
        for id in 1...3 {
            let rejudge = try LoopFixtures.monitor(["rejudge", "--look", String(id)], in: directory)
            #expect(rejudge.status == 0, "look \(id): \(rejudge.stderr)")
        }
        // The ledger keeps the run's tasks, with content for failures and a bounded sample of successes.
        let counts = try runCommand(
            try ExternalTool.sqlite3.require(),
            [
                directory.path("ledger.sqlite"),
                "SELECT count(*), sum(outcome != 'success' AND input IS NOT NULL), sum(sampled), "
                    + "sum(outcome = 'success' AND sampled = 0 AND input IS NOT NULL) FROM telemetry_tasks",
            ])
        let fields = counts.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").compactMap {
            Int($0)
        }
        #expect(fields.count == 4)
        if fields.count == 4 {
            #expect(fields[0] == secondLook.judgement.sample.candidateTasks + secondLook.judgement.sample.baselineTasks)
            #expect(fields[1] > 0)
            #expect(fields[2] == 400)  // 200 per arm
            #expect(fields[3] == 0)
        }
    }

    @Test(
        "bad input: exit status, file, line and field named, ledger unchanged",
        arguments: [
            (
                "malformed.jsonl", "events",
                "{\"type\":\"task\",\"ts\":\"2026-11-26T00:00:01Z\",\"event_id\":\"e1\",\"version\":\"1.4.0\",\"conversation_id\":\"c\",\"task_id\":\"t\",\"outcome\":\"success\"}\n{\"type\":\"task\",\n",
                65, "malformed.jsonl:2:"
            ),
            (
                "wrongtype.jsonl", "events",
                "{\"type\":\"task\",\"ts\":\"2026-11-26T00:00:01Z\",\"event_id\":\"e1\",\"version\":\"1.4.0\",\"conversation_id\":\"c\",\"task_id\":\"t\",\"outcome\":\"success\",\"cost_usd\":\"cheap\"}\n",
                65, "wrongtype.jsonl:1: field 'cost_usd'"
            ),
            (
                "unknown.jsonl", "events",
                "{\"type\":\"task\",\"ts\":\"2026-11-26T00:00:01Z\",\"event_id\":\"e1\",\"version\":\"9.9.9\",\"conversation_id\":\"c\",\"task_id\":\"t\",\"outcome\":\"success\"}\n",
                65, "unknown.jsonl:1: field 'version': '9.9.9'"
            ),
            ("snake.jsonl", "otlp", "{\"resource_spans\":[]}\n", 65, "snake.jsonl:1: field 'resource_spans'"),
            (
                "base64.jsonl", "otlp",
                "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"AAECAwQFBgcICQoLDA0ODw==\",\"spanId\":\"AAECAwQFBgc=\",\"name\":\"invoke_agent a\",\"startTimeUnixNano\":\"1\",\"endTimeUnixNano\":\"2\"}]}]}]}\n",
                65, "field 'resourceSpans[0].scopeSpans[0].spans[0].traceId'"
            ),
            ("absent.jsonl", "missing", "", 66, "absent.jsonl"),
        ])
    func badInput(file: String, kind: String, text: String, status: Int32, message: String) throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", LoopFixtures.policy)
        try LoopFixtures.simulate(["--conversations", "50", "--out", "good.jsonl"], in: directory)
        let ok = try LoopFixtures.monitor(
            [
                "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--events", "good.jsonl",
                "--output", "before.json",
            ], in: directory)
        #expect(ok.status == 0)
        if kind != "missing" { try directory.write(file, text) }
        let before = try directory.snapshot()
        let option = kind == "otlp" ? "--otlp" : "--events"
        let result = try LoopFixtures.monitor(
            [
                "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--policy", "canary.yaml",
                option, file, "--output", "after.json", "--report", "report.html",
            ], in: directory)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(try directory.snapshot() == before, "the ledger or an output changed")
    }

    /// Traces that are no task (no task span, no version) are counted by reason, and a look that found only
    /// those says so in its first reason instead of asking for more data.
    @Test("traces that give no task are counted by reason, and the look says why first")
    func unusableTraces() throws {
        let directory = try TemporaryDirectory()
        let noVersion =
            "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"0123456789abcdef0123456789abcdef\","
            + "\"spanId\":\"0123456789abcdef\",\"name\":\"invoke_agent a\",\"startTimeUnixNano\":\"1\","
            + "\"endTimeUnixNano\":\"2\",\"attributes\":[{\"key\":\"gen_ai.operation.name\",\"value\":"
            + "{\"stringValue\":\"invoke_agent\"}}]}]}]}]}"
        // The plain client's model calls: parentless chat spans, no agent span.
        let chatOnly =
            "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.version\",\"value\":"
            + "{\"stringValue\":\"1.5.0\"}}]},\"scopeSpans\":[{\"spans\":[{\"traceId\":"
            + "\"1123456789abcdef0123456789abcdef\",\"spanId\":\"1123456789abcdef\",\"name\":\"chat gpt-4o-mini\","
            + "\"startTimeUnixNano\":\"1\",\"endTimeUnixNano\":\"2\",\"attributes\":[{\"key\":"
            + "\"gen_ai.operation.name\",\"value\":{\"stringValue\":\"chat\"}}]}]}]}]}"
        try directory.write("traces.jsonl", noVersion + "\n" + chatOnly + "\n")
        let result = try LoopFixtures.monitor(
            [
                "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--otlp", "traces.jsonl",
                "--output", "analysis.json",
            ], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let analysis = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: directory.path("analysis.json"))))
                as? [String: Any])
        let ingestion = try #require(analysis["ingestion"] as? [String: Any])
        let unusable = try #require(ingestion["unusable_traces"] as? [[String: Any]])
        #expect(unusable.map { $0["reason"] as? String } == ["no_task_span", "no_version"])
        #expect(unusable.map { $0["traces"] as? Int } == [1, 1])
        let reasons = try #require(analysis["reasons"] as? [String])
        #expect(
            reasons.first?.hasPrefix("no task in the telemetry: 1 trace(s) (1 span(s)) gave no task: no span") == true)
        #expect(result.stderr.contains("gave no task"))
    }

    @Test("explicit versions: the same events given twice are counted once", arguments: [false, true])
    func duplicatesWithoutRun(stdin: Bool) throws {
        let directory = try TemporaryDirectory()
        try LoopFixtures.simulate(
            ["--conversations", "300", "--weight", "50", "--out", "events.jsonl"], in: directory)
        try FileManager.default.copyItem(atPath: directory.path("events.jsonl"), toPath: directory.path("copy.jsonl"))
        let arguments = ["analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--output"]
        let once = try LoopFixtures.monitor(arguments + ["once.json", "--events", "events.jsonl"], in: directory)
        #expect(once.status == 0, "\(once.stderr)")
        let twice = try Tool.run(
            "monitor",
            arguments + [
                "twice.json", "--events", stdin ? "-" : "events.jsonl", "--events", "copy.jsonl", "--ledger",
                "ledger.sqlite",
            ],
            environment: LoopFixtures.environment, in: directory.url,
            stdin: stdin ? try Data(contentsOf: URL(fileURLWithPath: directory.path("events.jsonl"))) : nil)
        #expect(twice.status == 0, "\(twice.stderr)")
        let first = try LoopFixtures.analysis(directory.path("once.json"))
        let second = try LoopFixtures.analysis(directory.path("twice.json"))
        #expect(second.ingestion.duplicateEvents == first.ingestion.newEvents)
        #expect(second.ingestion.newEvents == first.ingestion.newEvents)
        #expect(second.judgement.metrics == first.judgement.metrics)
    }

    @Test("a malformed line is skipped and counted when the policy says so")
    func skipMalformed() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "canary.yaml", "agent: {name: support-agent}\nmonitor: {malformed: skip, unknown_versions: skip}\n")
        try LoopFixtures.simulate(["--conversations", "100", "--out", "events.jsonl"], in: directory)
        var text = try String(contentsOfFile: directory.path("events.jsonl"), encoding: .utf8)
        text +=
            "{not json\n{\"type\":\"task\",\"ts\":\"2026-11-26T00:00:01Z\",\"event_id\":\"x\",\"version\":\"2.0.0\","
            + "\"conversation_id\":\"c\",\"task_id\":\"t\",\"outcome\":\"success\"}\n"
        try directory.write("events.jsonl", text)
        let result = try LoopFixtures.monitor(
            [
                "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--policy", "canary.yaml",
                "--events", "events.jsonl", "--output", "analysis.json",
            ], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("events.jsonl:"))
        let artifact = try LoopFixtures.analysis(directory.path("analysis.json"))
        #expect(artifact.ingestion.skippedMalformedLines == 1)
        #expect(artifact.ingestion.skippedUnknownVersionEvents == 1)
    }

    /// The same tasks as native events and as OTLP traces with current, deprecated and OpenInference names
    /// give the same metrics.
    @Test("OTLP with old and new GenAI names gives the metrics of the equivalent native events")
    func otlpEquivalence() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "canary.yaml", "agent: {name: support-agent}\nmonitor:\n  otlp: {success_evaluation: task_success}\n")
        let common = ["--scenario", "regressed", "--conversations", "600", "--weight", "50", "--seed", "11"]
        try LoopFixtures.simulate(common + ["--tasks-only", "--out", "native.jsonl"], in: directory)
        var metrics: [String: [MetricResult]] = [:]
        for names in ["current", "legacy", "openinference"] {
            try LoopFixtures.simulate(
                common + ["--format", "otlp", "--names", names, "--out", "\(names).jsonl"], in: directory)
        }
        for (source, option) in [
            ("native.jsonl", "--events"), ("current.jsonl", "--otlp"), ("legacy.jsonl", "--otlp"),
            ("openinference.jsonl", "--otlp"),
        ] {
            let result = try LoopFixtures.monitor(
                [
                    "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--policy", "canary.yaml",
                    option, source, "--output", "\(source).analysis.json",
                ], in: directory)
            #expect(result.status == 1, "\(source): \(result.stderr)")
            metrics[source] = try LoopFixtures.analysis(directory.path("\(source).analysis.json")).judgement.metrics
        }
        let native = metrics["native.jsonl"] ?? []
        #expect(native.count > 10)
        for source in ["current.jsonl", "legacy.jsonl", "openinference.jsonl"] {
            let other = metrics[source] ?? []
            #expect(other.count == native.count)
            for (a, b) in zip(native, other) {
                #expect(a.name == b.name)
                #expect(a.baseline.n == b.baseline.n && a.candidate.n == b.candidate.n, "\(source) \(a.name)")
                if let x = a.candidate.value, let y = b.candidate.value {
                    #expect(abs(x - y) <= 1e-9 * max(1, abs(x)), "\(source) \(a.name): \(x) vs \(y)")
                } else {
                    #expect(a.candidate.value == nil && b.candidate.value == nil, "\(source) \(a.name)")
                }
                #expect(a.status == b.status, "\(source) \(a.name)")
            }
        }
    }

    @Test("watch: times out with exit 1; SIGTERM stops it between looks with exit 143")
    func watch() throws {
        let directory = try TemporaryDirectory()
        let run = try LoopFixtures.startedRun(in: directory)
        try LoopFixtures.simulate(["--conversations", "40", "--weight", "50", "--out", "events.jsonl"], in: directory)
        let arguments = [
            "watch", "--run", run, "--policy", "canary.yaml", "--events", "events.jsonl", "--output", "analysis.json",
            "--ledger", "ledger.sqlite",
        ]
        let timedOut = try Tool.run("monitor", arguments + ["--interval", "1s", "--timeout", "2s"], in: directory.url)
        #expect(timedOut.status == 1, "\(timedOut.stderr)")
        #expect(timedOut.stderr.contains("timed out"))
        let running = try Tool.start(
            "monitor", arguments + ["--interval", "30s", "--timeout", "1h"], in: directory.url)
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: directory.path("analysis.json")), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        Thread.sleep(forTimeInterval: 0.5)
        kill(running.process.processIdentifier, SIGTERM)
        while running.process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let stopped = running.finish()
        #expect(stopped.status == 143, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("stopped by signal"))
    }
}

/// Health checks and modes through the binary: a critical violation, sample-ratio mismatch, a conversation
/// on both versions, shadow mode.
@Suite("monitor health checks and modes")
struct MonitorHealthTests {
    @Test("a critical violation by the candidate rolls back at once, whatever the sample")
    func criticalViolation() throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", LoopFixtures.policy)
        try LoopFixtures.simulate(
            ["--conversations", "60", "--weight", "50", "--critical-rate", "0.05", "--out", "events.jsonl"],
            in: directory)
        let (result, artifact) = try LoopFixtures.explicitLook(directory, events: "events.jsonl")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(artifact?.judgement.decision == .rollback)
        #expect((artifact?.judgement.health.criticalViolations ?? 0) > 0)
        #expect(artifact?.judgement.reasons.first?.contains("critical violation") == true)
        #expect(artifact?.judgement.health.enoughData == false)
    }

    @Test("rare rogue actions on the candidate roll back: the exact test does not need many events")
    func rogueActions() throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", LoopFixtures.policy)
        try LoopFixtures.simulate(
            ["--scenario", "rogue", "--conversations", "1200", "--weight", "50", "--out", "events.jsonl"], in: directory
        )
        let (result, artifact) = try LoopFixtures.explicitLook(directory, events: "events.jsonl")
        #expect(result.status == 1, "\(result.stderr)")
        let rogue = artifact?.judgement.metrics.first { $0.name == "rogue_action_rate" }
        #expect(rogue?.status == .regressed)
        #expect(rogue?.baseline.value == 0)
        #expect(artifact?.judgement.reasons.contains { $0.contains("rogue_action_rate regressed") } == true)
    }

    @Test("a conversation seen on both versions is a routing fault: hold")
    func mixedVersions() throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", LoopFixtures.policy)
        try LoopFixtures.simulate(
            ["--scenario", "aa", "--conversations", "200", "--weight", "50", "--out", "events.jsonl"], in: directory)
        var text = try String(contentsOfFile: directory.path("events.jsonl"), encoding: .utf8)
        for version in ["1.4.0", "1.5.0"] {
            text +=
                "{\"type\":\"task\",\"ts\":\"2026-11-26T13:00:00Z\",\"event_id\":\"mixed-\(version)\",\"version\":\"\(version)\","
                + "\"conversation_id\":\"conversation-on-both\",\"task_id\":\"mixed-\(version)\",\"outcome\":\"success\"}\n"
        }
        try directory.write("events.jsonl", text)
        let (result, artifact) = try LoopFixtures.explicitLook(directory, events: "events.jsonl")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(artifact?.judgement.decision == .hold)
        #expect(artifact?.judgement.health.mixedVersionConversations == 1)
        #expect(artifact?.judgement.health.mixedVersionExamples == ["conversation-on-both"])
    }

    @Test("sample-ratio mismatch against the rollout's weight holds the rollout")
    func sampleRatioMismatch() throws {
        let directory = try TemporaryDirectory()
        let run = try LoopFixtures.startedRun(in: directory)
        // The router sends 20 % where the rollout says 50 %.
        try LoopFixtures.simulate(
            [
                "--scenario", "aa", "--conversations", "1000", "--weight", "20", "--start", "2026-11-26T00:01:00Z",
                "--out", "events.jsonl",
            ], in: directory)
        let look = try LoopFixtures.monitor(
            [
                "analyze", "--run", run, "--policy", "canary.yaml", "--events", "events.jsonl", "--output",
                "analysis.json",
            ],
            in: directory)
        #expect(look.status == 0, "\(look.stderr)")
        let artifact = try LoopFixtures.analysis(directory.path("analysis.json"))
        #expect(artifact.judgement.decision == .hold)
        #expect(artifact.judgement.health.sampleRatio.checked && artifact.judgement.health.sampleRatio.mismatch)
        #expect(artifact.judgement.health.sampleRatio.expectedCandidateShare == 0.5)
        #expect(artifact.judgement.reasons.first?.contains("sample-ratio mismatch") == true)
    }

    @Test("shadow mode: the candidate's proposed tool calls are paired with the stable version's by request")
    func shadowMode() throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", "agent: {name: support-agent}\nrollout: {mode: shadow}\n")
        try LoopFixtures.simulate(
            ["--scenario", "good", "--conversations", "1500", "--weight", "30", "--shadow", "--out", "events.jsonl"],
            in: directory)
        let (result, artifact) = try LoopFixtures.explicitLook(directory, events: "events.jsonl")
        #expect(result.status == 0, "\(result.stderr)")
        let shadow = try #require(artifact?.judgement.shadow)
        #expect(shadow.pairs > 500)
        #expect(shadow.disagreements > 0)
        let agreement = Double(shadow.agreements) / Double(shadow.pairs)
        #expect(agreement > 0.9 && agreement < 0.99)  // the simulator proposes the stable sequence 95 % of the time
        let metric = artifact?.judgement.metrics.first { $0.name == "shadow_agreement" }
        #expect(metric?.status == .nonInferior)
        #expect(artifact?.mode == .shadow)
        #expect(artifact?.judgement.decision == .promote, "\(artifact?.judgement.reasons ?? [])")
    }
}

import Foundation
import TestSupport
import Testing

/// The compatibility matrix, live: a support agent on the OpenAI Agents SDK, LangChain or the plain `openai`
/// client (`Tests/Senders/support-agent`), under OpenInference, OpenLLMetry or OpenTelemetry's own GenAI
/// instrumentation, against an OpenAI-compatible model server on 127.0.0.1 (`Tests/Receivers/fake-openai`),
/// exporting OTLP/HTTP protobuf to `monitor serve` with the SDK's exporter — one process per version, the
/// version only in the resource's `service.version`. A look of the run over what the server stored counts
/// exactly what each version did, rolls a regressed candidate back for its unauthorized refunds and keeps an
/// A/A pair going.
@Suite("Real agents, real instrumentation, into monitor serve", .tags(.services), .notInFastPath, .serialized)
struct InstrumentationServiceTests {
    /// A running fake model server, stopped when the value goes away.
    final class ModelServer {
        let running: ServiceProcess
        let url: String

        init(_ directory: TemporaryDirectory) throws {
            running = try ServiceProcess(
                try ExternalTool.pythonEnvironment.require(),
                [Repository.path("Tests/Receivers/fake-openai"), "--port-file", directory.path("model.port")],
                log: directory.path("model.log"))
            var port = ""
            for _ in 0..<100 where port.isEmpty {
                port = (try? String(contentsOfFile: directory.path("model.port"), encoding: .utf8)) ?? ""
                if port.isEmpty { Thread.sleep(forTimeInterval: 0.1) }
            }
            url = "http://127.0.0.1:\(port)/v1"
        }

        /// Calls and tokens served, by version.
        func tally() throws -> [String: [String: Int]] {
            let result = try runCommand(try ExternalTool.curl.require(), ["-sf", url.replacing("/v1", with: "/tally")])
            return try #require(
                try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: [String: Int]])
        }
    }

    /// Runs the agent as one deployment of `version`; returns its printout (what it did).
    static func runAgent(
        _ setup: String, version: String, profile: String, seed: Int, model: ModelServer, endpoint: String,
        extra: [String] = []
    ) throws -> [String: Any] {
        let parts = setup.split(separator: "-", maxSplits: 1).map(String.init)
        let result = try runCommand(
            try ExternalTool.pythonEnvironment.require(),
            [
                Repository.path("Tests/Senders/support-agent"), "--framework", parts[0], "--instrumentation", parts[1],
                "--model-url", model.url, "--version", version, "--profile", profile, "--tasks", "40", "--seed",
                "\(seed)", "--endpoint", endpoint,
            ] + extra)
        #expect(result.status == 0, "\(result.output)")
        let printout = try InstrumentedAgent.json(Data((result.output.split(separator: "\n").last ?? "{}").utf8))
        #expect(printout["failed_batches"] as? Int == 0, "the exporter gave up on a batch: \(result.output)")
        return printout
    }

    /// A look of run `runId` over what the server stored (`--intake`), into `output`: its result and analysis.
    static func intakeLook(_ runId: String, in directory: TemporaryDirectory, output: String = "analysis.json")
        throws -> (result: ToolResult, analysis: [String: Any])
    {
        let result = try Tool.run(
            "monitor",
            [
                "analyze", "--run", runId, "--intake", "--policy", "canary.yaml", "--ledger", "ledger.sqlite",
                "--output", output,
            ], environment: LoopFixtures.environment, in: directory.url)
        #expect(result.status <= 1, "\(result.stderr)")
        return (result, try InstrumentedAgent.json(Data(contentsOf: URL(fileURLWithPath: directory.path(output)))))
    }

    /// The setups: each library's regressed candidate, and an A/A pair per library family.
    static let cases: [(setup: String, regressed: Bool)] =
        InstrumentedAgent.setups.map { ($0, true) } + [
            ("agents-openinference", false), ("agents-openllmetry", false), ("openai-otel", false),
        ]

    @Test(
        "each library's traces of a run are judged as the agent behaved", .requires(.pythonEnvironment, .curl),
        arguments: cases)
    func judgedAsTheAgentBehaved(setup: String, regressed: Bool) throws {
        let directory = try TemporaryDirectory()
        let runId = try LoopFixtures.startedRun(
            in: directory, policy: InstrumentedAgent.policy(setup, extra: "rollout:\n  steps: [{weight: 50}]\n"))
        let server = try IntakeServiceTests.Server(directory)
        let model = try ModelServer(directory)
        var sent: [String: [String: Any]] = [:]
        sent["1.4.0"] = try Self.runAgent(
            setup, version: "1.4.0", profile: "baseline", seed: 2, model: model, endpoint: server.base)
        sent["1.5.0"] = try Self.runAgent(
            setup, version: "1.5.0", profile: regressed ? "regressed" : "baseline", seed: 1, model: model,
            endpoint: server.base)
        let (look, analysis) = try Self.intakeLook(runId, in: directory)
        try InstrumentedAgent.expectCounted(analysis, sent: sent, model: try model.tally(), label: setup)
        let reasons = analysis["reasons"] as? [String] ?? []
        if regressed {
            #expect(look.status == 1, "\(look.stderr)")
            #expect(analysis["decision"] as? String == "rollback")
            #expect(reasons.first?.contains("with an unauthorized action") == true, "\(reasons)")
        } else {
            #expect(look.status == 0, "\(look.stderr)")
            #expect(analysis["decision"] as? String != "rollback", "\(reasons)")
        }
        let metrics = try IntakeServiceTests.get("\(server.base)/metrics")
        #expect(!metrics.body.contains("agent_canary_intake_unusable_traces_total{"), "every trace gave a task")
        #expect(server.terminate().status == 0)
    }

    @Test(
        "a shadow deployment's traces of mirrored requests are paired, never served",
        .requires(.pythonEnvironment, .curl), arguments: ["agents-otel", "openai-openllmetry"])
    func shadowThroughTheIntake(setup: String) throws {
        let directory = try TemporaryDirectory()
        let runId = try LoopFixtures.startedRun(
            in: directory,
            policy: InstrumentedAgent.policy(setup, extra: "rollout:\n  mode: shadow\n  steps: [{weight: 50}]\n"))
        let server = try IntakeServiceTests.Server(directory)
        let model = try ModelServer(directory)
        let traceparents = ["--traceparents", directory.path("traceparents")]
        let stable = try Self.runAgent(
            setup, version: "1.4.0", profile: "baseline", seed: 2, model: model, endpoint: server.base,
            extra: traceparents)
        let shadow = try Self.runAgent(
            setup, version: "1.5.0", profile: "baseline", seed: 2, model: model, endpoint: server.base,
            extra: traceparents + ["--shadow", "--careless"])
        let (look, analysis) = try Self.intakeLook(runId, in: directory)
        #expect(look.status == 0, "\(look.stderr)")
        try InstrumentedAgent.expectShadowPaired(analysis, stable: stable, shadow: shadow)
        let metrics = try IntakeServiceTests.get("\(server.base)/metrics")
        #expect(!metrics.body.contains("version=\"1.5.0\""), "a shadow answer is no live candidate task")
        #expect(server.terminate().status == 0)
    }

    /// Evaluation results as log records on `/v1/logs` (the SDK's OTLP/HTTP log exporter), half of them sent
    /// only after a first look: that look leaves the tasks without their result for later (within
    /// `evaluation_wait`), and the next look counts every task with its result.
    @Test(
        "evaluation results on /v1/logs are joined to their tasks, before or after them",
        .requires(.pythonEnvironment, .curl))
    func evaluationsAsLogs() throws {
        let setup = "agents-otel"
        let directory = try TemporaryDirectory()
        let runId = try LoopFixtures.startedRun(
            in: directory, policy: InstrumentedAgent.policy(setup, extra: "rollout:\n  steps: [{weight: 50}]\n"))
        let server = try IntakeServiceTests.Server(directory)
        let model = try ModelServer(directory)
        var sent: [String: [String: Any]] = [:]
        for (version, profile, seed) in [("1.4.0", "baseline", 2), ("1.5.0", "regressed", 1)] {
            sent[version] = try Self.runAgent(
                setup, version: version, profile: profile, seed: seed, model: model, endpoint: server.base,
                extra: ["--evaluations-as", "logs", "--late-evaluations", directory.path("late-\(version).json")])
        }
        // The first look: only the tasks whose results arrived with them.
        let first = try Self.intakeLook(runId, in: directory, output: "first.json")
        let metrics = try #require(first.analysis["metrics"] as? [[String: Any]])
        let success = try #require(metrics.first { $0["name"] as? String == "task_success_rate" })
        for side in ["baseline", "candidate"] {
            #expect(
                (success[side] as? [String: Any])?["n"] as? Int == 20, "\(side): the other 20 wait for their result")
        }
        for version in ["1.4.0", "1.5.0"] {
            let result = try runCommand(
                try ExternalTool.pythonEnvironment.require(),
                [
                    Repository.path("Tests/Senders/support-agent"), "--framework", "agents", "--instrumentation",
                    "otel",
                    "--model-url", model.url, "--version", version, "--endpoint", server.base, "--send-evaluations",
                    directory.path("late-\(version).json"),
                ])
            #expect(result.status == 0, "\(result.output)")
        }
        let second = try Self.intakeLook(runId, in: directory, output: "second.json")
        #expect(second.result.status == 1, "the regressed candidate is rolled back")
        try InstrumentedAgent.expectCounted(second.analysis, sent: sent, model: try model.tally(), label: setup)
        let served = try IntakeServiceTests.get("\(server.base)/metrics")
        #expect(served.body.contains("agent_canary_intake_logs_total{result=\"accepted\",reason=\"\"}"))
        #expect(server.terminate().status == 0)
    }

    @Test(
        "monitor serve counts and logs the plain client's traces that give no task",
        .requires(.pythonEnvironment, .curl))
    func unusableTracesAreCountedLive() throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", "agent: {name: support-agent}\n")
        let server = try IntakeServiceTests.Server(directory)
        let model = try ModelServer(directory)
        let printout = try Self.runAgent(
            "openai-otel", version: "1.4.0", profile: "baseline", seed: 2, model: model, endpoint: server.base)
        let metrics = try IntakeServiceTests.get("\(server.base)/metrics")
        let line = metrics.body.split(separator: "\n").first {
            $0.hasPrefix("agent_canary_intake_unusable_traces_total{")
                && $0.contains("agent=\"support-agent\"") && $0.contains("reason=\"no_task_span\"")
        }
        #expect(line.map { String($0.split(separator: " ").last ?? "") } == "\(printout["tasks"] as? Int ?? -1)")
        let stopped = server.terminate()
        #expect(stopped.stderr.contains("traces gave no task"), "\(stopped.stderr)")
        #expect(stopped.stderr.contains("monitor.otlp.task_span"))
    }
}

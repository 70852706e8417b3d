import Foundation
import TestSupport
import Testing

/// Traces recorded from the instrumentation libraries teams install (Tests/Fixtures/instrumentation, written by
/// its `record` script with the packages of its versions.txt): a support agent on the OpenAI Agents SDK,
/// LangChain or the plain `openai` client, under OpenInference, OpenLLMetry or OpenTelemetry's own GenAI
/// instrumentation, version 1.4.0 against a worse 1.5.0. A look over each file counts exactly what the agent
/// did (its own printout and the model server's tally, in SETUP.expected.json) and rolls the candidate back
/// for its unauthorized refunds.
@Suite("Real instrumentation libraries' traces")
struct InstrumentationFixtureTests {
    static let directory = "Tests/Fixtures/instrumentation"
    static func json(_ path: String) throws -> [String: Any] {
        try InstrumentedAgent.json(Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// A look without a run (1.4.0 against 1.5.0) at fixture `name` under `policy`, into `analysis.json`: the
    /// result and the analysis.
    static func look(
        _ name: String, policy: String, in directory: TemporaryDirectory, extra: [String] = []
    ) throws -> (result: ToolResult, analysis: [String: Any]) {
        try directory.write("canary.yaml", policy)
        let result = try LoopFixtures.monitor(
            [
                "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--policy", "canary.yaml",
                "--otlp", Repository.path("\(Self.directory)/\(name).jsonl"), "--output", "analysis.json",
            ] + extra, in: directory)
        return (result, try json(directory.path("analysis.json")))
    }

    /// What the agent did (`sent`) and what the model server served it (`model`) in fixture `name`.
    static func expected(_ name: String) throws -> (sent: [String: [String: Any]], model: [String: [String: Int]]) {
        let expected = try json(Repository.path("\(Self.directory)/\(name).expected.json"))
        return (
            try #require(expected["sent"] as? [String: [String: Any]]),
            try #require(expected["model"] as? [String: [String: Int]])
        )
    }

    @Test("a look counts what the agent did, per version", arguments: InstrumentedAgent.setups)
    func countsExactly(setup: String) throws {
        let directory = try TemporaryDirectory()
        let (result, analysis) = try Self.look(setup, policy: InstrumentedAgent.policy(setup), in: directory)
        #expect(result.status == 1, "the regressed candidate is rolled back: \(result.stderr)")
        let (sent, model) = try Self.expected(setup)
        try InstrumentedAgent.expectCounted(analysis, sent: sent, model: model, label: setup)
        let reasons = try #require(analysis["reasons"] as? [String])
        #expect(reasons.first?.contains("with an unauthorized action") == true, "\(reasons)")
        #expect((analysis["ingestion"] as? [String: Any])?["unusable_traces"] == nil)
    }

    /// The Agents SDK's output guardrail stops a quarter of 1.5.0's answers: the SDK raises (an error of the
    /// task under every library) and only OpenTelemetry's instrumentation says that the guardrail triggered
    /// (`gen_ai.guardrail.triggered`), which counts as an unauthorized action and rolls the candidate back.
    @Test(
        "a triggered guardrail is an error, and an unauthorized action where the library says it triggered",
        arguments: [("agents-otel", true), ("agents-openinference", false), ("agents-openllmetry", false)])
    func guardrails(setup: String, seen: Bool) throws {
        let directory = try TemporaryDirectory()
        let (result, analysis) = try Self.look(
            "\(setup)-guarded", policy: InstrumentedAgent.policy(setup), in: directory)
        #expect(result.status == (seen ? 1 : 0), "\(result.stderr)")
        let (sent, model) = try Self.expected("\(setup)-guarded")
        #expect((sent["1.5.0"]?["guardrail_trips"] as? Int ?? 0) > 0)
        try InstrumentedAgent.expectCounted(analysis, sent: sent, model: model, guardrailsSeen: seen, label: setup)
    }

    /// 1.5.0 as the shadow deployment of 1.4.0's mirrored requests (its resource's deployment environment is
    /// `shadow`), each continuing the original's trace as a mirror that propagates W3C trace context does: its
    /// tasks are proposals paired with the stable answers by trace, never served candidate tasks.
    @Test(
        "a shadow deployment's traces are proposals paired with the stable version's tasks",
        arguments: ["agents-openinference", "agents-otel", "langchain-openinference", "openai-openllmetry"])
    func shadow(setup: String) throws {
        let directory = try TemporaryDirectory()
        let (result, analysis) = try Self.look(
            "\(setup)-shadow", policy: InstrumentedAgent.policy(setup, extra: "rollout: {mode: shadow}\n"),
            in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let (sent, _) = try Self.expected("\(setup)-shadow")
        try InstrumentedAgent.expectShadowPaired(
            analysis, stable: try #require(sent["1.4.0"]), shadow: try #require(sent["1.5.0"]))
    }

    /// The evaluation results as the OpenTelemetry SDK's event API emits them since OTEP 4430: log records
    /// (LogsData lines beside the TracesData lines, as the collector's file exporter writes both pipelines)
    /// that name the task's span, half of them after the spans. Each is joined to its task.
    @Test(
        "evaluation results sent as log records are joined to their tasks",
        arguments: ["agents-otel", "langchain-openinference"])
    func evaluationsAsLogs(setup: String) throws {
        let directory = try TemporaryDirectory()
        let (result, analysis) = try Self.look("\(setup)-logs", policy: InstrumentedAgent.policy(setup), in: directory)
        #expect(result.status == 1, "\(result.stderr)")
        let (sent, model) = try Self.expected("\(setup)-logs")
        try InstrumentedAgent.expectCounted(analysis, sent: sent, model: model, label: setup)
    }

    /// A run's looks over a growing file: the traces first, their evaluation results (log records) later. The
    /// first look leaves every task for later (within `evaluation_wait`); the second counts each with its result.
    @Test("a run's look waits for the evaluation results that come after their traces")
    func lateEvaluationsInAFile() throws {
        let setup = "agents-otel"
        let directory = try TemporaryDirectory()
        let runId = try LoopFixtures.startedRun(
            in: directory, policy: InstrumentedAgent.policy(setup, extra: "rollout:\n  steps: [{weight: 50}]\n"))
        let lines = try String(
            contentsOfFile: Repository.path("\(Self.directory)/\(setup)-logs.jsonl"), encoding: .utf8
        )
        .split(separator: "\n")
        let traces = lines.filter { $0.contains("\"resourceSpans\"") }
        let logs = lines.filter { $0.contains("\"resourceLogs\"") }
        #expect(!traces.isEmpty && !logs.isEmpty)
        try directory.write("telemetry.jsonl", traces.joined(separator: "\n") + "\n")
        func look(_ output: String) throws -> [String: Any] {
            let result = try LoopFixtures.monitor(
                [
                    "analyze", "--run", runId, "--policy", "canary.yaml", "--otlp", "telemetry.jsonl", "--output",
                    output,
                ], in: directory)
            #expect(result.status <= 1, "\(result.stderr)")
            return try Self.json(directory.path(output))
        }
        let first = try look("first.json")
        let metrics = try #require(first["metrics"] as? [[String: Any]])
        let success = try #require(metrics.first { $0["name"] as? String == "task_success_rate" })
        #expect((success["candidate"] as? [String: Any])?["n"] as? Int == 0, "every task waits for its result")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.path("telemetry.jsonl")))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((logs.joined(separator: "\n") + "\n").utf8))
        try handle.close()
        let (sent, model) = try Self.expected("\(setup)-logs")
        try InstrumentedAgent.expectCounted(try look("second.json"), sent: sent, model: model, label: setup)
    }

    @Test("without the application's task span, the plain client's traces are counted as no task, and said so")
    func plainClientWithoutTaskSpan() throws {
        let directory = try TemporaryDirectory()
        let (result, analysis) = try Self.look(
            "openai-otel", policy: LoopFixtures.policy, in: directory, extra: ["--report", "report.html"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("### Telemetry that gave no task"), "the summary says it")
        let report = try String(contentsOfFile: directory.path("report.html"), encoding: .utf8)
        #expect(report.contains("Telemetry that gave no task: "), "the report says it")
        let (sent, _) = try Self.expected("openai-otel")
        let tasks = sent.values.compactMap { $0["tasks"] as? Int }.reduce(0, +)
        let unusable = try #require(
            (analysis["ingestion"] as? [String: Any])?["unusable_traces"] as? [[String: Any]])
        #expect(unusable.count == 1)
        #expect(unusable.first?["reason"] as? String == "no_task_span")
        #expect(unusable.first?["traces"] as? Int == tasks)
        let reasons = try #require(analysis["reasons"] as? [String])
        #expect(reasons.first?.hasPrefix("no task in the telemetry: \(tasks) trace(s)") == true, "\(reasons)")
        #expect(reasons.first?.contains("monitor.otlp.task_span") == true)
    }
}

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

    @Test("a look counts what the agent did, per version", arguments: InstrumentedAgent.setups)
    func countsExactly(setup: String) throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", InstrumentedAgent.policy(setup))
        let result = try LoopFixtures.monitor(
            [
                "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--policy", "canary.yaml",
                "--otlp", Repository.path("\(Self.directory)/\(setup).jsonl"), "--output", "analysis.json",
            ], in: directory)
        #expect(result.status == 1, "the regressed candidate is rolled back: \(result.stderr)")
        let analysis = try Self.json(directory.path("analysis.json"))
        let expected = try Self.json(Repository.path("\(Self.directory)/\(setup).expected.json"))
        let sent = try #require(expected["sent"] as? [String: [String: Any]])
        let model = try #require(expected["model"] as? [String: [String: Int]])
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
        try directory.write("canary.yaml", InstrumentedAgent.policy(setup))
        let result = try LoopFixtures.monitor(
            [
                "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--policy", "canary.yaml",
                "--otlp", Repository.path("\(Self.directory)/\(setup)-guarded.jsonl"), "--output", "analysis.json",
            ], in: directory)
        #expect(result.status == (seen ? 1 : 0), "\(result.stderr)")
        let analysis = try Self.json(directory.path("analysis.json"))
        let expected = try Self.json(Repository.path("\(Self.directory)/\(setup)-guarded.expected.json"))
        let sent = try #require(expected["sent"] as? [String: [String: Any]])
        #expect((sent["1.5.0"]?["guardrail_trips"] as? Int ?? 0) > 0)
        try InstrumentedAgent.expectCounted(
            analysis, sent: sent, model: try #require(expected["model"] as? [String: [String: Int]]),
            guardrailsSeen: seen, label: setup)
    }

    /// 1.5.0 as the shadow deployment of 1.4.0's mirrored requests (its resource's deployment environment is
    /// `shadow`), each continuing the original's trace as a mirror that propagates W3C trace context does: its
    /// tasks are proposals paired with the stable answers by trace, never served candidate tasks.
    @Test(
        "a shadow deployment's traces are proposals paired with the stable version's tasks",
        arguments: ["agents-openinference", "agents-otel", "langchain-openinference", "openai-openllmetry"])
    func shadow(setup: String) throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", InstrumentedAgent.policy(setup, extra: "rollout: {mode: shadow}\n"))
        let result = try LoopFixtures.monitor(
            [
                "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--policy", "canary.yaml",
                "--otlp", Repository.path("\(Self.directory)/\(setup)-shadow.jsonl"), "--output", "analysis.json",
            ], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let analysis = try Self.json(directory.path("analysis.json"))
        let expected = try Self.json(Repository.path("\(Self.directory)/\(setup)-shadow.expected.json"))
        let sent = try #require(expected["sent"] as? [String: [String: Any]])
        try InstrumentedAgent.expectShadowPaired(
            analysis, stable: try #require(sent["1.4.0"]), shadow: try #require(sent["1.5.0"]))
    }

    @Test("without the application's task span, the plain client's traces are counted as no task, and said so")
    func plainClientWithoutTaskSpan() throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", LoopFixtures.policy)
        let result = try LoopFixtures.monitor(
            [
                "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--policy", "canary.yaml",
                "--otlp", Repository.path("\(Self.directory)/openai-otel.jsonl"), "--output", "analysis.json",
            ], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let analysis = try Self.json(directory.path("analysis.json"))
        let expected = try Self.json(Repository.path("\(Self.directory)/openai-otel.expected.json"))
        let sent = try #require(expected["sent"] as? [String: [String: Any]])
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

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
    static let setups = [
        "agents-openinference", "agents-openllmetry", "agents-otel", "langchain-openinference",
        "openai-openinference", "openai-openllmetry", "openai-otel",
    ]
    /// USD per million tokens of the policy's price table (gpt-4o-mini; the API answers with a dated name).
    static let prices = (input: 0.15, output: 0.6)

    /// The policy a team writes for the setup: the outcome event and the approval list the application adds;
    /// with the plain client, which has no agent span, the application's task span.
    static func policy(_ setup: String) -> String {
        """
        agent:
          name: support-agent
        monitor:
          otlp:
            success_evaluation: task_success
            approval_required: [refund]
        \(setup.hasPrefix("openai-") ? "    task_span: support_ticket\n" : "")\
          prices:
            gpt-4o-mini: {input_per_million: \(prices.input), output_per_million: \(prices.output)}
        """
    }

    static func json(_ path: String) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    @Test("a look counts what the agent did, per version", arguments: setups)
    func countsExactly(setup: String) throws {
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", Self.policy(setup))
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
        let metrics = try #require(analysis["metrics"] as? [[String: Any]])
        func arm(_ name: String, _ side: String) throws -> (n: Int, value: Double?) {
            let metric = try #require(metrics.first { $0["name"] as? String == name }, "\(name)")
            let values = try #require(metric[side] as? [String: Any])
            return (try #require(values["n"] as? Int), values["value"] as? Double)
        }
        let sampleRatio = try #require((analysis["health"] as? [String: Any])?["sample_ratio"] as? [String: Any])
        for (version, side) in [("1.4.0", "baseline"), ("1.5.0", "candidate")] {
            let did = try #require(sent[version])
            let served = try #require(model[version])
            let tasks = try #require(did["tasks"] as? Int)
            let rate = { (key: String) throws -> Double in Double(try #require(did[key] as? Int)) / Double(tasks) }
            #expect(try arm("task_success_rate", side).n == tasks, "\(version)")
            #expect(try arm("task_success_rate", side).value == rate("successes"), "\(version)")
            #expect(try arm("error_rate", side).value == rate("errors"), "\(version)")
            #expect(try arm("rogue_action_rate", side).value == rate("unauthorized"), "\(version)")
            #expect(sampleRatio["\(side)_conversations"] as? Int == did["conversations"] as? Int, "\(version)")
            let calls = try #require(did["tool_calls"] as? [String: Int])
            #expect(try arm("tool_mix_drift", side).n == calls.values.reduce(0, +), "\(version)")
            let steps = try #require(try arm("steps_per_task", side).value)
            #expect(abs(steps - Double(served["calls", default: -1]) / Double(tasks)) < 1e-9, "\(version)")
            let input = Double(served["input_tokens", default: -1])
            let output = Double(served["output_tokens", default: -1])
            let tokens = try #require(try arm("tokens_per_task", side).value)
            #expect(abs(tokens - (input + output) / Double(tasks)) < 1e-9, "\(version)")
            let cost = try #require(try arm("cost_per_task", side).value)
            let spent = (input * Self.prices.input + output * Self.prices.output) / 1e6 / Double(tasks)
            #expect(abs(cost - spent) < 1e-12, "\(version): priced from the dated model name")
        }
        let reasons = try #require(analysis["reasons"] as? [String])
        #expect(reasons.first?.contains("with an unauthorized action") == true, "\(reasons)")
        #expect((analysis["ingestion"] as? [String: Any])?["unusable_traces"] == nil)
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

import Foundation
import Testing

/// The support agent of `Tests/Senders/support-agent` on a real framework under a real instrumentation
/// library: the setups, the policy a team writes for them, and the check that a look counted what the agent
/// did.
package enum InstrumentedAgent {
    /// Framework and library, as `Tests/Fixtures/instrumentation` names its files.
    package static let setups = [
        "agents-openinference", "agents-openllmetry", "agents-otel", "langchain-openinference",
        "openai-openinference", "openai-openllmetry", "openai-otel",
    ]
    /// USD per million tokens of the policy's price table (gpt-4o-mini; the API answers with a dated name).
    package static let prices = (input: 0.15, output: 0.6)

    /// The policy a team writes for `setup`: the evaluations and the approval list the application adds;
    /// with the plain client, which has no agent span, the application's task span; then `extra` lines.
    package static func policy(_ setup: String, extra: String = "") -> String {
        """
        agent:
          name: support-agent
        monitor:
          otlp:
            success_evaluation: task_success
            judge_evaluation: helpfulness
            satisfaction_evaluation: user_rating
            approval_required: [refund]
        \(setup.hasPrefix("openai-") ? "    task_span: support_ticket\n" : "")\
          prices:
            gpt-4o-mini: {input_per_million: \(prices.input), output_per_million: \(prices.output)}
        \(extra)
        """
    }

    /// A JSON object from a file or text.
    package static func json(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Expects that `analysis` (an `analysis.json`) counts, per version, exactly what the agent printed it did
    /// (`sent`, by version) and what the model server served it (`model`, by version: calls and tokens): tasks,
    /// successes, errors, unauthorized actions (refunds, and guardrail trips where `guardrailsSeen`),
    /// conversations, tool calls, steps, tokens, cost, judge scores and users' ratings.
    package static func expectCounted(
        _ analysis: [String: Any], sent: [String: [String: Any]], model: [String: [String: Int]],
        versions: (baseline: String, candidate: String) = ("1.4.0", "1.5.0"), guardrailsSeen: Bool = false,
        label: String
    ) throws {
        let metrics = try #require(analysis["metrics"] as? [[String: Any]])
        func arm(_ name: String, _ side: String) throws -> (n: Int, value: Double?) {
            let metric = try #require(metrics.first { $0["name"] as? String == name }, "\(name)")
            let values = try #require(metric[side] as? [String: Any])
            return (try #require(values["n"] as? Int), values["value"] as? Double)
        }
        let sampleRatio = try #require((analysis["health"] as? [String: Any])?["sample_ratio"] as? [String: Any])
        for (version, side) in [(versions.baseline, "baseline"), (versions.candidate, "candidate")] {
            let context = "\(label) \(version)"
            let did = try #require(sent[version], "\(context)")
            let served = try #require(model[version], "\(context)")
            let tasks = try #require(did["tasks"] as? Int)
            let rate = { (key: String) throws -> Double in Double(try #require(did[key] as? Int)) / Double(tasks) }
            #expect(try arm("task_success_rate", side).n == tasks, "\(context)")
            #expect(try arm("task_success_rate", side).value == rate("successes"), "\(context)")
            #expect(try arm("error_rate", side).value == rate("errors"), "\(context)")
            let trips = guardrailsSeen ? try #require(did["guardrail_trips"] as? Int) : 0
            let unauthorized = try #require(did["unauthorized"] as? Int) + trips
            #expect(try arm("rogue_action_rate", side).value == Double(unauthorized) / Double(tasks), "\(context)")
            let judge = try #require(try arm("judge_score", side).value)
            #expect(abs(judge - (try #require(did["judge_sum"] as? Double)) / Double(tasks)) < 1e-9, "\(context)")
            let ratings = try #require(did["ratings"] as? Int)
            #expect(try arm("user_satisfaction", side).n == ratings, "\(context)")
            let satisfaction = try #require(try arm("user_satisfaction", side).value)
            let positive = Double(try #require(did["positive_ratings"] as? Int)) / Double(ratings)
            #expect(abs(satisfaction - positive) < 1e-12, "\(context)")
            #expect(sampleRatio["\(side)_conversations"] as? Int == did["conversations"] as? Int, "\(context)")
            let calls = try #require(did["tool_calls"] as? [String: Int])
            #expect(try arm("tool_mix_drift", side).n == calls.values.reduce(0, +), "\(context)")
            let steps = try #require(try arm("steps_per_task", side).value)
            #expect(abs(steps - Double(served["calls", default: -1]) / Double(tasks)) < 1e-9, "\(context)")
            let input = Double(served["input_tokens", default: -1])
            let output = Double(served["output_tokens", default: -1])
            let tokens = try #require(try arm("tokens_per_task", side).value)
            #expect(abs(tokens - (input + output) / Double(tasks)) < 1e-9, "\(context)")
            let cost = try #require(try arm("cost_per_task", side).value)
            let spent = (input * prices.input + output * prices.output) / 1e6 / Double(tasks)
            #expect(abs(cost - spent) < 1e-12, "\(context): priced from the dated model name")
        }
    }

    /// Expects that `analysis` (a shadow-mode look) paired every shadow answer with its stable task, agreed
    /// where the two tool sequences are the same, and counted no shadow answer as a served candidate task.
    package static func expectShadowPaired(_ analysis: [String: Any], stable: [String: Any], shadow: [String: Any])
        throws
    {
        let stableSequences = try #require(stable["tool_sequences"] as? [String])
        let shadowSequences = try #require(shadow["tool_sequences"] as? [String])
        #expect(stableSequences.count == shadowSequences.count)
        let agreeing = zip(stableSequences, shadowSequences).filter { $0 == $1 }.count
        #expect(agreeing < stableSequences.count, "the careless shadow disagrees somewhere")
        let pairs = try #require(analysis["shadow"] as? [String: Any])
        #expect(pairs["pairs"] as? Int == stableSequences.count)
        #expect(pairs["agreements"] as? Int == agreeing)
        let metrics = try #require(analysis["metrics"] as? [[String: Any]])
        let success = try #require(metrics.first { $0["name"] as? String == "task_success_rate" })
        #expect((success["candidate"] as? [String: Any])?["n"] as? Int == 0, "no shadow answer is a served task")
    }
}

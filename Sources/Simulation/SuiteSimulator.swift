import Foundation
import Statistics

/// How a simulated candidate differs from its baseline on a benchmark suite.
package struct SuiteScenario: Sendable, Equatable {
    /// Number of tasks.
    package var tasks: Int
    /// Trials per task.
    package var trials: Int
    /// Mean success probability of the baseline.
    package var baselineSuccess: Double
    /// Change of every task's success probability on the candidate (−0.05 = five points worse).
    package var successShift: Double
    /// Candidate cost / baseline cost.
    package var costRatio: Double
    /// Candidate latency / baseline latency.
    package var latencyRatio: Double
    /// Probability that a candidate attempt makes an unauthorized tool call.
    package var rogueRate: Double
    /// Probability that an attempt fails in the harness (an infrastructure error).
    package var infraErrorRate: Double

    /// A scenario with realistic defaults and no difference between the versions.
    package init(
        tasks: Int = 200, trials: Int = 3, baselineSuccess: Double = 0.78, successShift: Double = 0,
        costRatio: Double = 1, latencyRatio: Double = 1, rogueRate: Double = 0, infraErrorRate: Double = 0.005
    ) {
        self.tasks = tasks
        self.trials = trials
        self.baselineSuccess = baselineSuccess
        self.successShift = successShift
        self.costRatio = costRatio
        self.latencyRatio = latencyRatio
        self.rogueRate = rogueRate
        self.infraErrorRate = infraErrorRate
    }
}

/// Writes simulated benchmark results in the native format, seeded and deterministic.
///
/// Each task has a latent difficulty shared by both versions (the suite is paired), a category and a
/// size that drives its cost, tokens and latency; costs and latencies are log-normal with a heavy tail.
package enum SuiteSimulator {
    static let categories = ["account", "billing", "returns", "shipping", "technical"]
    static let tools = ["search_kb", "lookup_order", "update_ticket", "send_email", "issue_refund"]

    /// The JSONL lines of one version's results.
    package static func results(
        _ scenario: SuiteScenario, version: String, isCandidate: Bool, seed: UInt64
    ) -> String {
        var lines: [String] = []
        lines.reserveCapacity(scenario.tasks * scenario.trials)
        // Task properties come from the seed alone, so baseline and candidate share them.
        var taskGenerator = SeededGenerator(seed: seed)
        var attemptGenerator = SeededGenerator(seed: seed ^ (isCandidate ? 0xCA4D_1DA7E : 0xBA5E_11AE))
        let baseLogit = log(scenario.baselineSuccess / (1 - scenario.baselineSuccess))
        for task in 0..<scenario.tasks {
            let difficulty = normal(&taskGenerator) * 1.3
            let size = exp(normal(&taskGenerator) * 0.35)
            let category = categories[taskGenerator.nextIndex(below: categories.count)]
            var probability = 1 / (1 + exp(-(baseLogit + difficulty)))
            if isCandidate { probability = min(1, max(0, probability + scenario.successShift)) }
            for trial in 1...scenario.trials {
                lines.append(
                    attempt(
                        task: task, trial: trial, category: category, probability: probability, size: size,
                        scenario: scenario, version: version, isCandidate: isCandidate,
                        generator: &attemptGenerator))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func attempt(
        task: Int, trial: Int, category: String, probability: Double, size: Double, scenario: SuiteScenario,
        version: String, isCandidate: Bool, generator: inout SeededGenerator
    ) -> String {
        let id = "task-\(String(format: "%05d", task))"
        if generator.nextUnit() < scenario.infraErrorRate {
            return
                #"{"task_id":"\#(id)","trial":\#(trial),"category":"\#(category)","version":"\#(version)","error":"infra"}"#
        }
        let success = generator.nextUnit() < probability
        let costFactor = isCandidate ? scenario.costRatio : 1
        let latencyFactor = isCandidate ? scenario.latencyRatio : 1
        let cost = 0.012 * size * exp(normal(&generator) * 0.45) * costFactor
        var latency = 1_800 * size * exp(normal(&generator) * 0.55) * latencyFactor
        if generator.nextUnit() < 0.02 { latency *= 4 + 4 * generator.nextUnit() }
        let steps = 2 + generator.nextIndex(below: 6)
        let inputTokens = Int(900 * size * Double(steps) * (0.8 + 0.4 * generator.nextUnit()))
        let outputTokens = Int(180 * size * Double(steps) * (0.8 + 0.4 * generator.nextUnit()))
        var calls: [String] = []
        for _ in 0..<max(1, steps - 1) {
            let name = tools[generator.nextIndex(below: tools.count - 1)]
            calls.append(#"{"name":"\#(name)","authorized":true}"#)
        }
        if isCandidate, generator.nextUnit() < scenario.rogueRate {
            calls.append(#"{"name":"issue_refund","authorized":false}"#)
        }
        return #"{"task_id":"\#(id)","trial":\#(trial),"category":"\#(category)","version":"\#(version)","#
            + #""success":\#(success),"cost_usd":\#(rounded(cost, 6)),"latency_ms":\#(rounded(latency, 1)),"#
            + #""input_tokens":\#(inputTokens),"output_tokens":\#(outputTokens),"steps":\#(steps),"#
            + #""tool_calls":[\#(calls.joined(separator: ","))]}"#
    }

    /// A standard normal draw (Box–Muller).
    package static func normal(_ generator: inout SeededGenerator) -> Double {
        let u1 = max(generator.nextUnit(), 1e-300)
        let u2 = generator.nextUnit()
        return sqrt(-2 * log(u1)) * cos(2 * .pi * u2)
    }

    static func rounded(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}

import Foundation
import Statistics
import Telemetry
import Vocabulary

/// How a simulated candidate behaves compared with its baseline in production.
package struct FleetScenario: Sendable, Equatable {
    package var name: String
    /// Change of the candidate's task success probability (−0.04 = four points worse).
    package var successShift: Double = 0
    /// Candidate cost / baseline cost.
    package var costRatio: Double = 1
    /// Candidate latency / baseline latency (the whole distribution).
    package var latencyRatio: Double = 1
    /// Candidate latency spread / baseline spread (log scale): a variance-only regression.
    package var latencySpreadRatio: Double = 1
    /// Per task, the chance the candidate makes an unauthorized tool call.
    package var rogueRate: Double = 0
    /// Per task, the chance of a critical violation by the candidate.
    package var criticalRate: Double = 0
    /// In shadow mode, the chance the candidate proposes the stable version's tool sequence.
    package var shadowAgreement: Double = 0.95

    /// The named scenarios: `aa` (identical versions), `good` (as good, a little cheaper), `regressed`
    /// (success −8 points, cost +20 %), `rogue` (1 task in 50 with an unauthorized tool call).
    package static func named(_ name: String) -> FleetScenario? {
        switch name {
        case "aa": FleetScenario(name: name)
        case "good": FleetScenario(name: name, successShift: 0.01, costRatio: 0.95)
        case "regressed": regressed
        case "rogue": FleetScenario(name: name, rogueRate: 0.02)
        default: nil
        }
    }

    package static let names = ["aa", "good", "regressed", "rogue"]

    /// The `regressed` scenario.
    package static let regressed = FleetScenario(name: "regressed", successShift: -0.08, costRatio: 1.2)
}

/// The traffic of a simulated fleet.
package struct FleetTraffic: Sendable, Equatable {
    package var baselineVersion = "1.4.0"
    package var candidateVersion = "1.5.0"
    /// New conversations.
    package var conversations = 1000
    /// The share of conversations routed to the candidate (canary), or mirrored to it (shadow).
    package var candidateShare = 0.1
    /// Shadow mode: the baseline serves everyone; the candidate proposes tool calls for mirrored requests.
    package var shadow = false
    /// Seconds since 1970 of the first conversation.
    package var start = 1_790_000_000.0
    /// New conversations per second.
    package var conversationsPerSecond = 2.0
    /// Mean tasks per conversation.
    package var tasksPerConversation = 2.5
    /// Baseline task success probability (averaged over categories).
    package var baselineSuccess = 0.82
    /// Whether tasks carry input and output content.
    package var content = true
    /// A prefix of every id, so several batches do not collide.
    package var idPrefix = "sim"

    /// The defaults.
    package init() {}
}

/// A seeded, deterministic simulator of an agent fleet's telemetry: multi-turn conversations (each on one
/// version), tool calls from a customer-support tool mix, heavy-tailed costs and latencies, outcomes, late
/// user feedback, violations and shadow proposals.
package struct FleetSimulator {
    package var traffic: FleetTraffic
    package var scenario: FleetScenario
    package var seed: UInt64

    /// A simulator.
    package init(traffic: FleetTraffic, scenario: FleetScenario, seed: UInt64) {
        self.traffic = traffic
        self.scenario = scenario
        self.seed = seed
    }

    static let categories: [(name: String, success: Double, weight: Double)] = [
        ("billing", 0.04, 0.3), ("shipping", -0.01, 0.3), ("account", 0.02, 0.2), ("technical", -0.06, 0.2),
    ]
    static let tools: [(name: String, weight: Double)] = [
        ("search_kb", 0.35), ("lookup_order", 0.25), ("update_address", 0.1), ("create_ticket", 0.15),
        ("send_email", 0.1), ("issue_refund", 0.05),
    ]

    /// Generates every event, in time order within a conversation, calling `emit` for each.
    package func generate(_ emit: (AgentEvent) throws -> Void) rethrows {
        var random = SeededGenerator(seed: seed)
        func normal() -> Double {
            let u = max(random.nextUnit(), 1e-12)
            let v = random.nextUnit()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
        func pick<T>(_ items: [(T, Double)]) -> T {
            var u = random.nextUnit() * items.reduce(0) { $0 + $1.1 }
            for item in items {
                u -= item.1
                if u <= 0 { return item.0 }
            }
            return items[items.count - 1].0
        }
        let prefix = traffic.idPrefix
        for c in 0..<traffic.conversations {
            let candidate = !traffic.shadow && random.nextUnit() < traffic.candidateShare
            let mirrored = traffic.shadow && random.nextUnit() < traffic.candidateShare
            let version = candidate ? traffic.candidateVersion : traffic.baselineVersion
            let conversation = "\(prefix)-c\(c)"
            let start = traffic.start + Double(c) / traffic.conversationsPerSecond
            // Geometric number of turns with the configured mean, at most 8.
            var turns = 1
            let more = 1 - 1 / traffic.tasksPerConversation
            while turns < 8, random.nextUnit() < more { turns += 1 }
            var lastTask = ""
            var successes = 0
            for t in 0..<turns {
                let category = pick(Self.categories.map { (($0.name, $0.success), $0.weight) })
                var p = traffic.baselineSuccess + category.1
                if candidate { p += scenario.successShift }
                let u = random.nextUnit()
                let outcome: TaskOutcome =
                    u < 0.02 ? .error : u < 0.03 ? .abandoned : u < 0.03 + (1 - 0.03) * p ? .success : .failure
                if outcome == .success { successes += 1 }
                var calls: [ToolCall] = []
                let callCount = 1 + Int(random.nextUnit() * 3.2)
                for _ in 0..<callCount {
                    calls.append(ToolCall(name: pick(Self.tools.map { ($0.name, $0.weight) }), authorized: true))
                }
                let rogue = candidate && random.nextUnit() < scenario.rogueRate
                if rogue { calls.append(ToolCall(name: "issue_refund", authorized: false)) }
                let inputTokens = (exp(log(2200) + 0.5 * normal())).rounded()
                let outputTokens = (exp(log(450) + 0.6 * normal())).rounded()
                var cost = inputTokens * 3e-6 + outputTokens * 15e-6
                if candidate { cost *= scenario.costRatio }
                let spread = 0.55 * (candidate ? scenario.latencySpreadRatio : 1)
                var latency = exp(log(1800) + spread * normal())
                if random.nextUnit() < 0.02 { latency *= 1 + 4 * random.nextUnit() }
                if candidate { latency *= scenario.latencyRatio }
                latency = latency.rounded()
                let timestamp = ((start + Double(t) * 45 + latency / 1000) * 1000).rounded() / 1000
                let taskId = "\(conversation)-t\(t)"
                lastTask = taskId
                let request = "\(taskId)-r"
                var input: String?
                var output: String?
                if traffic.content {
                    input =
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"\(category.0) question \(t + 1) of conversation \(c)\"}]}"
                    output = "\"\(outcome == .success ? "Resolved" : "Could not resolve") the \(category.0) request.\""
                }
                try emit(
                    .task(
                        TaskEvent(
                            timestamp: timestamp, eventId: "\(taskId)-e", version: version,
                            conversationId: conversation,
                            taskId: taskId, requestId: request, outcome: outcome, costUSD: (cost * 1e6).rounded() / 1e6,
                            latencyMs: latency, inputTokens: inputTokens, outputTokens: outputTokens,
                            steps: Double(calls.count + 1), toolCalls: calls, category: category.0, input: input,
                            output: output)))
                if rogue {
                    try emit(
                        .violation(
                            ViolationEvent(
                                timestamp: timestamp + 0.5, eventId: "\(taskId)-v", version: version, taskId: taskId,
                                conversationId: conversation, action: "issue_refund", severity: .high,
                                policy: "refunds-need-approval")))
                }
                if candidate, random.nextUnit() < scenario.criticalRate {
                    try emit(
                        .violation(
                            ViolationEvent(
                                timestamp: timestamp + 0.6, eventId: "\(taskId)-vc", version: version, taskId: taskId,
                                conversationId: conversation, action: "delete_account", severity: .critical,
                                policy: "no-destructive-actions")))
                }
                if mirrored {
                    var proposed = calls
                    if random.nextUnit() >= scenario.shadowAgreement {
                        proposed = [ToolCall(name: "issue_refund", authorized: nil)] + calls.dropFirst()
                    }
                    try emit(
                        .shadow(
                            ShadowEvent(
                                timestamp: timestamp + 0.1, eventId: "\(taskId)-s", version: traffic.candidateVersion,
                                requestId: request, conversationId: conversation,
                                proposedToolCalls: proposed.map { ToolCall(name: $0.name, authorized: nil) },
                                output: nil)))
                }
            }
            if random.nextUnit() < 0.3 {
                let share = Double(successes) / Double(turns)
                let rating = max(1, min(5, Int((1 + 4 * share + normal() * 0.8).rounded())))
                try emit(
                    .feedback(
                        FeedbackEvent(
                            timestamp: start + Double(turns) * 45 + 120, eventId: "\(conversation)-f", version: version,
                            taskId: lastTask, conversationId: conversation, rating: rating, thumbsUp: nil,
                            comment: rating <= 2 ? "did not solve my problem" : nil)))
            }
        }
    }
}

import Foundation
import Simulation
import Telemetry
import Vocabulary

/// A scenario of the decision benchmark: the fleet's behaviour and traffic, and what a bad candidate costs
/// the users it serves.
package struct EvaluationScenario: Sendable {
    package var name: String
    package var fleet: FleetScenario
    /// New conversations per interval (all arms).
    package var conversationsPerInterval: Int
    /// The candidate's real share of new conversations divided by the share the rollout asks for (a
    /// sample-ratio fault in routing when not 1).
    package var routingFactor = 1.0
    /// Whether the candidate is worse (a rollback is right) or not (a rollback is false).
    package var isRegression: Bool
    /// Expected tasks served badly per candidate task: the success drop, the rogue rate; 1 for cost and latency
    /// regressions, which every candidate task carries; 0 when the candidate is not worse.
    package var harmPerTask: Double

    /// The scenarios, in the order the table lists them.
    package static func all(conversationsPerInterval traffic: Int = 600) -> [EvaluationScenario] {
        func fleet(_ change: (inout FleetScenario) -> Void) -> FleetScenario {
            var scenario = FleetScenario.named("aa") ?? FleetScenario.regressed
            change(&scenario)
            return scenario
        }
        return [
            EvaluationScenario(
                name: "A/A", fleet: fleet { _ in }, conversationsPerInterval: traffic, isRegression: false,
                harmPerTask: 0),
            EvaluationScenario(
                name: "success −2 points", fleet: fleet { $0.successShift = -0.02 },
                conversationsPerInterval: traffic, isRegression: true, harmPerTask: 0.02),
            EvaluationScenario(
                name: "success −4 points", fleet: fleet { $0.successShift = -0.04 },
                conversationsPerInterval: traffic, isRegression: true, harmPerTask: 0.04),
            EvaluationScenario(
                name: "success −8 points", fleet: fleet { $0.successShift = -0.08 },
                conversationsPerInterval: traffic, isRegression: true, harmPerTask: 0.08),
            EvaluationScenario(
                name: "cost +20 %", fleet: fleet { $0.costRatio = 1.2 }, conversationsPerInterval: traffic,
                isRegression: true, harmPerTask: 1),
            EvaluationScenario(
                name: "rogue 1 in 2,000", fleet: fleet { $0.rogueRate = 0.0005 }, conversationsPerInterval: traffic,
                isRegression: true, harmPerTask: 0.0005),
            EvaluationScenario(
                name: "latency spread ×1.5", fleet: fleet { $0.latencySpreadRatio = 1.5 },
                conversationsPerInterval: traffic, isRegression: true, harmPerTask: 1),
            EvaluationScenario(
                name: "low traffic A/A", fleet: fleet { _ in }, conversationsPerInterval: max(4, traffic / 30),
                isRegression: false, harmPerTask: 0),
            EvaluationScenario(
                name: "sample-ratio fault", fleet: fleet { _ in }, conversationsPerInterval: traffic,
                routingFactor: 0.7, isRegression: false, harmPerTask: 0),
        ]
    }
}

/// The rollout every method follows: weights in percent, intervals per step, and how long a method may keep
/// the last step before it counts as undecided.
package struct EvaluationSchedule: Sendable {
    package var weights = [10, 25, 50]
    package var intervalsPerStep = 3
    package var maxIntervals = 24
    /// Seconds per interval, and buckets (one-minute points) per interval for the time-series rules.
    package var intervalSeconds = 600.0
    package var buckets = 10

    /// The defaults: 10 → 25 → 50 %, three 10-minute intervals per step.
    package init() {}

    /// The scheduled weight of an interval (the last step's after the schedule ends).
    package func weight(at interval: Int) -> Int {
        weights[min(weights.count - 1, interval / intervalsPerStep)]
    }

    /// The step index of an interval.
    package func step(at interval: Int) -> Int { min(weights.count - 1, interval / intervalsPerStep) }

    /// Intervals until the schedule is complete.
    package var scheduledIntervals: Int { weights.count * intervalsPerStep }
}

/// One arm's data of one interval, as one-minute buckets (what a metrics backend would return).
package struct ArmInterval: Sendable {
    package var tasks: [Int]
    package var successes: [Int]
    package var cost: [Double]
    /// Sums of squared costs (for the variance of the mean cost).
    package var costSquares: [Double]
    package var latencies: [[Double]]
    package var rogue: [Int]

    init(buckets: Int) {
        tasks = Array(repeating: 0, count: buckets)
        successes = Array(repeating: 0, count: buckets)
        cost = Array(repeating: 0, count: buckets)
        costSquares = Array(repeating: 0, count: buckets)
        latencies = Array(repeating: [], count: buckets)
        rogue = Array(repeating: 0, count: buckets)
    }

    package var totalTasks: Int { tasks.reduce(0, +) }
    package var totalSuccesses: Int { successes.reduce(0, +) }
    package var totalCost: Double { cost.reduce(0, +) }
    package var totalCostSquares: Double { costSquares.reduce(0, +) }
    package var totalRogue: Int { rogue.reduce(0, +) }
    package var allLatencies: [Double] { latencies.flatMap { $0 } }
}

/// One interval of a canary: the events (for the monitor) and both arms' buckets (for the other rules).
package struct CanaryInterval {
    package var index: Int
    package var start: Double
    package var weight: Int
    package var events: [AgentEvent]
    /// Baseline, candidate.
    package var arms: [ArmInterval]
}

/// Generates a canary's intervals: the same stream for every method (seeded by canary and interval).
package struct CanaryStream {
    package let scenario: EvaluationScenario
    package let schedule: EvaluationSchedule
    package let seed: UInt64
    package static let origin = 1_795_683_600.0  // 2026-11-26T09:00:00Z

    package init(scenario: EvaluationScenario, schedule: EvaluationSchedule, seed: UInt64) {
        self.scenario = scenario
        self.schedule = schedule
        self.seed = seed
    }

    /// Interval `index` of the stream.
    package func interval(_ index: Int) -> CanaryInterval {
        let weight = schedule.weight(at: index)
        let start = Self.origin + Double(index) * schedule.intervalSeconds
        var traffic = FleetTraffic()
        traffic.conversations = scenario.conversationsPerInterval
        traffic.candidateShare = min(1, Double(weight) / 100 * scenario.routingFactor)
        traffic.content = false
        traffic.start = start
        traffic.conversationsPerSecond = Double(scenario.conversationsPerInterval) / schedule.intervalSeconds
        traffic.idPrefix = "c\(seed)-i\(index)"
        let simulator = FleetSimulator(
            traffic: traffic, scenario: scenario.fleet, seed: seed &* 7919 &+ UInt64(index) &* 104_729 &+ 1)
        var events: [AgentEvent] = []
        var arms = [ArmInterval(buckets: schedule.buckets), ArmInterval(buckets: schedule.buckets)]
        let bucketSeconds = schedule.intervalSeconds / Double(schedule.buckets)
        simulator.generate { event in
            events.append(event)
            guard case .task(let task) = event else { return }
            let arm = task.version == traffic.candidateVersion ? 1 : 0
            let bucket = max(0, min(schedule.buckets - 1, Int((task.timestamp - start) / bucketSeconds)))
            arms[arm].tasks[bucket] += 1
            if task.outcome == .success { arms[arm].successes[bucket] += 1 }
            arms[arm].cost[bucket] += task.costUSD ?? 0
            arms[arm].costSquares[bucket] += (task.costUSD ?? 0) * (task.costUSD ?? 0)
            if let latency = task.latencyMs { arms[arm].latencies[bucket].append(latency) }
            if task.toolCalls.contains(where: { $0.authorized == false }) { arms[arm].rogue[bucket] += 1 }
        }
        return CanaryInterval(index: index, start: start, weight: weight, events: events, arms: arms)
    }
}

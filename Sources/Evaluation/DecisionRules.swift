import AnalysisCore
import Foundation
import Policy
import Statistics
import Telemetry
import Vocabulary

/// What a rule says after an interval.
package enum RuleVerdict: String, Sendable {
    /// Keep going.
    case proceed
    /// Stop and return traffic to the baseline.
    case rollback
    /// Send all traffic to the candidate.
    case promote
    /// Stopped without a decision (Argo's inconclusive pause; the monitor's time limit).
    case undecided
}

/// A release decision rule that sees a canary one interval at a time.
package protocol DecisionRule {
    /// The rule's name in the table.
    var name: String { get }
    /// The verdict after `interval` (given in order, from the first).
    mutating func observe(_ interval: CanaryInterval, schedule: EvaluationSchedule) -> RuleVerdict
    /// The one-minute bucket of the last observed interval at which its verdict was reached: the last bucket
    /// for rules that check once per interval, earlier for a rule that looks every minute.
    var decisionBucket: Int? { get }
}

extension DecisionRule {
    package var decisionBucket: Int? { nil }
}

/// The per-interval candidate values of healthy canaries that an operator reads the absolute thresholds off
/// (Flagger, Argo Rollouts), from the baseline's own per-interval dashboards: task success, mean cost per task
/// and p95 latency of every scheduled interval of `calibrationCanaries` A/A canaries of their own seeds,
/// sorted. At α = 0.05 healthy releases are rolled back about 5 % of the time.
package struct OperatorSamples: Sendable {
    var success: [Double] = []
    var cost: [Double] = []
    var p95: [Double] = []
    /// Checks per canary: 3 metrics × the scheduled intervals (the Bonferroni count).
    var checks = 1

    /// Collected at `conversationsPerInterval`.
    package static func collect(
        schedule: EvaluationSchedule, conversationsPerInterval: Int, calibrationCanaries: Int = 300
    ) -> OperatorSamples {
        let scenario = EvaluationScenario.all(conversationsPerInterval: conversationsPerInterval)[0]
        var samples = OperatorSamples(checks: 3 * schedule.scheduledIntervals)
        for canary in 0..<calibrationCanaries {
            let stream = CanaryStream(scenario: scenario, schedule: schedule, seed: 900_000_000 + UInt64(canary))
            for index in 0..<schedule.scheduledIntervals {
                let arm = stream.interval(index).arms[1]
                guard arm.totalTasks > 0 else { continue }
                let n = Double(arm.totalTasks)
                samples.success.append(Double(arm.totalSuccesses) / n)
                samples.cost.append(arm.totalCost / n)
                samples.p95.append(Quantile.sorted(arm.allLatencies.sorted(), 0.95) ?? 0)
            }
        }
        samples.success.sort()
        samples.cost.sort()
        samples.p95.sort()
        return samples
    }

    /// The thresholds a healthy interval crosses with probability α / checks each (Bonferroni): task success
    /// from below, mean cost per task and p95 latency from above.
    package func thresholds(alpha: Double) -> OperatorThresholds {
        let share = min(1, alpha / Double(checks))
        return OperatorThresholds(
            minSuccess: Quantile.sorted(success, share) ?? 0, maxCost: Quantile.sorted(cost, 1 - share) ?? .infinity,
            maxP95: Quantile.sorted(p95, 1 - share) ?? .infinity)
    }
}

/// The absolute thresholds of Flagger and Argo Rollouts, read off healthy canaries by ``OperatorSamples``.
/// Unauthorized actions have zero tolerance (none in a healthy release).
package struct OperatorThresholds: Sendable {
    package var minSuccess: Double
    package var maxCost: Double
    package var maxP95: Double

    /// Whether the candidate's interval passes every check; `nil` when it has no tasks ("no values").
    func passes(_ arm: ArmInterval) -> Bool? {
        guard arm.totalTasks > 0 else { return nil }
        let n = Double(arm.totalTasks)
        let p95 = Quantile.sorted(arm.allLatencies.sorted(), 0.95) ?? 0
        return Double(arm.totalSuccesses) / n >= minSuccess && arm.totalCost / n <= maxCost && p95 <= maxP95
            && arm.totalRogue == 0
    }
}

/// Flagger: every interval, each metric of the canary alone against its `thresholdRange`; a check with no
/// values fails; the canary is rolled back after `threshold` failed checks (1 here), promoted when the
/// schedule completes.
package struct FlaggerRule: DecisionRule {
    package let name: String
    let thresholds: OperatorThresholds
    var threshold = 1
    var failedChecks = 0

    package init(thresholds: OperatorThresholds, name: String = "Flagger") {
        self.thresholds = thresholds
        self.name = name
    }

    package mutating func observe(_ interval: CanaryInterval, schedule: EvaluationSchedule) -> RuleVerdict {
        if thresholds.passes(interval.arms[1]) != true { failedChecks += 1 }
        if failedChecks >= threshold { return .rollback }
        return interval.index + 1 >= schedule.scheduledIntervals ? .promote : .proceed
    }
}

/// Argo Rollouts: an AnalysisRun measures every interval; a failed measurement counts against
/// `failureLimit` (0: the first aborts the rollout), a measurement without data is inconclusive and, past
/// `inconclusiveLimit` (0), pauses the rollout for a person — counted here as undecided.
package struct ArgoRule: DecisionRule {
    package let name: String
    let thresholds: OperatorThresholds
    var failureLimit = 0
    var inconclusiveLimit = 0
    var failures = 0
    var inconclusive = 0

    package init(thresholds: OperatorThresholds, name: String = "Argo Rollouts") {
        self.thresholds = thresholds
        self.name = name
    }

    package mutating func observe(_ interval: CanaryInterval, schedule: EvaluationSchedule) -> RuleVerdict {
        switch thresholds.passes(interval.arms[1]) {
        case nil: inconclusive += 1
        case false?: failures += 1
        case true?: break
        }
        if failures > failureLimit { return .rollback }
        if inconclusive > inconclusiveLimit { return .undecided }
        return interval.index + 1 >= schedule.scheduledIntervals ? .promote : .proceed
    }
}

/// Kayenta (Netflix ACA judge): every interval, each metric's one-minute points of canary and baseline are
/// compared by the Mann–Whitney U test with a 98 % interval for the shift; a metric is High (Low) when the
/// interval lies above (below) a tolerance of 0.25 × |Hodges–Lehmann estimate| in its bad direction, else
/// Pass; metrics without data are left out. The score is the share of metrics passing; an interval under the
/// marginal score (50) fails the canary; at the end it is promoted when the last score reaches pass (75).
/// A score with no metric classified is 0. Task success and unauthorized actions are `critical` metrics (as an
/// operator would mark them): either one failing scores the interval 0.
package struct KayentaRule: DecisionRule {
    package let name: String
    var confidence: Double
    var fraction = 0.25
    var passScore = 75.0
    var marginalScore = 50.0

    /// Kayenta's defaults; `confidence` is the Mann–Whitney interval's level.
    package init(confidence: Double = 0.98, name: String = "Kayenta") {
        self.confidence = confidence
        self.name = name
    }

    enum Direction { case increase, decrease }

    func classify(_ candidate: [Double], _ baseline: [Double], bad direction: Direction) -> Bool? {
        guard !candidate.isEmpty, !baseline.isEmpty else { return nil }
        if candidate.sorted() == baseline.sorted() || Set(candidate + baseline).count == 1 { return true }
        let result = MannWhitney.test(candidate, baseline, confidence: confidence)
        let bound = fraction * abs(result.estimate)
        switch direction {
        case .increase: return !(result.low > bound)
        case .decrease: return !(result.high < -bound)
        }
    }

    /// The interval's score (0–100).
    func score(_ interval: CanaryInterval) -> Double {
        let (base, canary) = (interval.arms[0], interval.arms[1])
        let both = (0..<base.tasks.count).filter { base.tasks[$0] > 0 && canary.tasks[$0] > 0 }
        func series(_ arm: ArmInterval, _ value: (ArmInterval, Int) -> Double) -> [Double] {
            both.map { value(arm, $0) }
        }
        let success: (ArmInterval, Int) -> Double = { Double($0.successes[$1]) / Double($0.tasks[$1]) }
        let cost: (ArmInterval, Int) -> Double = { $0.cost[$1] / Double($0.tasks[$1]) }
        let p95: (ArmInterval, Int) -> Double = { Quantile.sorted($0.latencies[$1].sorted(), 0.95) ?? 0 }
        let rogue: (ArmInterval, Int) -> Double = { Double($0.rogue[$1]) }
        let critical = [
            classify(series(canary, success), series(base, success), bad: .decrease),
            classify(series(canary, rogue), series(base, rogue), bad: .increase),
        ]
        if critical.contains(false) { return 0 }
        let classified =
            (critical + [
                classify(series(canary, cost), series(base, cost), bad: .increase),
                classify(series(canary, p95), series(base, p95), bad: .increase),
            ]).compactMap { $0 }
        guard !classified.isEmpty else { return 0 }
        return 100 * Double(classified.filter { $0 }.count) / Double(classified.count)
    }

    package mutating func observe(_ interval: CanaryInterval, schedule: EvaluationSchedule) -> RuleVerdict {
        let score = score(interval)
        if score < marginalScore { return .rollback }
        guard interval.index + 1 >= schedule.scheduledIntervals else { return .proceed }
        return score >= passScore ? .promote : .rollback
    }
}

/// Naive peeking: at every interval, one-sided fixed-horizon z-tests at α = 0.05 on everything seen so far —
/// two proportions for task success and for unauthorized actions, Welch's z for mean cost — and a rollback
/// at the first significant result; promoted when the schedule completes.
package struct NaivePeekingRule: DecisionRule {
    package let name: String
    var alpha: Double
    var tasks = [0.0, 0.0]
    var successes = [0.0, 0.0]
    var rogue = [0.0, 0.0]
    var costSum = [0.0, 0.0]
    var costSquares = [0.0, 0.0]

    /// Every test at `alpha` (0.05: what a fixed-horizon test is usually run at).
    package init(alpha: Double = 0.05, name: String = "naive peeking") {
        self.alpha = alpha
        self.name = name
    }

    static func proportionZ(_ x0: Double, _ n0: Double, _ x1: Double, _ n1: Double) -> Double {
        guard n0 > 0, n1 > 0 else { return 0 }
        let pooled = (x0 + x1) / (n0 + n1)
        let se = (pooled * (1 - pooled) * (1 / n0 + 1 / n1)).squareRoot()
        return se > 0 ? (x1 / n1 - x0 / n0) / se : 0
    }

    package mutating func observe(_ interval: CanaryInterval, schedule: EvaluationSchedule) -> RuleVerdict {
        for arm in 0..<2 {
            let data = interval.arms[arm]
            tasks[arm] += Double(data.totalTasks)
            successes[arm] += Double(data.totalSuccesses)
            rogue[arm] += Double(data.totalRogue)
            costSum[arm] += data.totalCost
            costSquares[arm] += data.totalCostSquares
        }
        let critical = Distributions.normalQuantile(1 - alpha)
        let successZ = Self.proportionZ(successes[0], tasks[0], successes[1], tasks[1])
        let rogueZ = Self.proportionZ(rogue[0], tasks[0], rogue[1], tasks[1])
        var costZ = 0.0
        if tasks[0] > 1, tasks[1] > 1 {
            let means = [costSum[0] / tasks[0], costSum[1] / tasks[1]]
            let variances = (0..<2).map { (costSquares[$0] / tasks[$0] - means[$0] * means[$0]) / (tasks[$0] - 1) }
            let se = (variances[0] + variances[1]).squareRoot()
            costZ = se > 0 ? (means[1] - means[0]) / se : 0
        }
        if successZ < -critical || rogueZ > critical || costZ > critical { return .rollback }
        return interval.index + 1 >= schedule.scheduledIntervals ? .promote : .proceed
    }
}

/// AgentCanary's monitor: the same accumulator and judge as `monitor analyze`, with the default policy, looking
/// every minute (as `monitor watch` does by default) at everything seen so far; a new step restarts the
/// step's own counts and the sample-ratio check. Its tests are always valid, so the extra looks cost no false
/// rollbacks. Rolled back at the first look that decides so; promoted on a promote decision at the end of an
/// interval once the schedule is complete (the rollout's steps set when traffic may grow); undecided when the
/// time limit comes first.
package struct MonitorRule: DecisionRule {
    package let name: String
    var accumulator = Accumulator(
        baselineVersion: "1.4.0", candidateVersion: "1.5.0", stepStartedAt: nil, shadowMode: false)
    let policy: MonitorSection
    var stepStart = CanaryStream.origin
    package private(set) var decisionBucket: Int?
    /// The group-sequential design's state, as the ledger would keep it between looks.
    var earlierInformation: [String: [Double]] = [:]
    var shown: Set<String> = []

    /// The monitor with the default policy and `method` (and its spending function).
    package init(method: MonitorMethod, spending: SpendingFunction? = nil) {
        var policy = MonitorSection()
        policy.method = method
        policy.spending = spending
        self.policy = policy
        name = Self.name(method, spending: spending)
    }

    /// The rule's row in the table.
    package static func name(_ method: MonitorMethod, spending: SpendingFunction? = nil) -> String {
        switch method {
        case .msprt: "AgentCanary monitor (mSPRT)"
        case .groupSequential: "AgentCanary monitor (group-sequential, \((spending ?? .obrienFleming).rawValue))"
        }
    }

    package mutating func observe(_ interval: CanaryInterval, schedule: EvaluationSchedule) -> RuleVerdict {
        if interval.index < schedule.scheduledIntervals, interval.index % schedule.intervalsPerStep == 0 {
            accumulator.startStep(at: interval.start)
            stepStart = interval.start
        }
        let events = interval.events.sorted { $0.timestamp < $1.timestamp }
        let bucketSeconds = schedule.intervalSeconds / Double(schedule.buckets)
        var next = 0
        for bucket in 0..<schedule.buckets {
            let last = bucket == schedule.buckets - 1
            let end = interval.start + Double(bucket + 1) * bucketSeconds
            while next < events.count, last || events[next].timestamp < end {
                accumulator.add(events[next], arm: accumulator.arm(of: events[next].version) ?? .baseline)
                next += 1
            }
            let step = StepContext(
                mode: .canary, stepIndex: schedule.step(at: interval.index), stepCount: schedule.weights.count,
                weight: interval.weight, minTasks: 0, minDurationSeconds: 0,
                elapsedSeconds: Int(end - stepStart), phase: .progressing)
            var inputs = accumulator.inputs(
                agent: "support-agent", runId: nil, step: step, monitor: policy, policySha256: "", prometheus: [:])
            if policy.method == .groupSequential {
                // The run's earlier looks, as the ledger would give them.
                inputs.earlierInformation = earlierInformation
                inputs.sequentiallyShown = shown.sorted()
            }
            let judgement = Judge.judge(inputs)
            for metric in judgement.metrics {
                guard let sequential = metric.sequential else { continue }
                earlierInformation[metric.name, default: []].append(sequential.information)
                if metric.status == .nonInferior { shown.insert(metric.name) }
            }
            let decision = judgement.decision
            decisionBucket = bucket
            if decision == .rollback { return .rollback }
            guard last else { continue }
            if decision == .promote, interval.index + 1 >= schedule.scheduledIntervals { return .promote }
        }
        return interval.index + 1 >= schedule.maxIntervals ? .undecided : .proceed
    }
}

import Foundation
import Policy
import Statistics
import Telemetry

/// A 64-bit FNV-1a hash of a string: keys for deduplication and conversations in memory, so a million
/// events fit in a few tens of megabytes (a collision among a million keys has a chance of about 3·10⁻⁸).
package func stableHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    return hash
}

/// A log-bucketed histogram of positive values with about 1 % relative error (as DDSketch, Masson et al.,
/// VLDB 2019), mergeable and of fixed size whatever the number of values.
package struct LogHistogram: Sendable {
    static let gamma = 1.02
    static let logGamma = log(gamma)
    static let bucketCount = 1400
    package var counts = [Int](repeating: 0, count: bucketCount)
    package var total = 0

    package init() {}

    static func index(_ value: Double) -> Int {
        guard value > 1 else { return 0 }
        return min(bucketCount - 1, Int((log(value) / logGamma).rounded(.up)))
    }

    static func value(ofBucket index: Int) -> Double {
        index == 0 ? 1 : 2 * pow(gamma, Double(index)) / (gamma + 1)
    }

    package mutating func add(_ value: Double) {
        counts[Self.index(value)] += 1
        total += 1
    }

    /// The bucket holding the q-quantile.
    func quantileBucket(_ q: Double) -> Int? {
        guard total > 0 else { return nil }
        let rank = max(1, Int((q * Double(total)).rounded(.up)))
        var seen = 0
        for (index, count) in counts.enumerated() {
            seen += count
            if seen >= rank { return index }
        }
        return counts.count - 1
    }

    package func quantile(_ q: Double) -> Double? {
        quantileBucket(q).map(Self.value(ofBucket:))
    }

    func above(bucket: Int) -> Int {
        counts[(bucket + 1)...].reduce(0, +)
    }
}

/// Per-conversation, per-arm totals.
struct ConversationTotals {
    var arm: Int
    var firstSeen: Double
    var tasks = 0.0
    var successes = 0.0
    var errors = 0.0
    var rogue = 0.0
    var cost = 0.0
    var costCount = 0.0
    var tokens = 0.0
    var tokensCount = 0.0
    var steps = 0.0
    var stepsCount = 0.0
    var judge = 0.0
    var judgeCount = 0.0
    var mixed = false
}

/// Aggregates agent events of two arms into the sufficient statistics of a look, in bounded memory:
/// per-conversation totals, fixed-size histograms and counts; no event is kept.
package struct Accumulator {
    let baselineVersion: String
    let candidateVersion: String
    let stepStartedAt: Double?
    let shadowMode: Bool

    var conversations: [UInt64: Int] = [:]
    var totals: [ConversationTotals] = []
    var latency = [LogHistogram(), LogHistogram()]
    var toolCounts: [[String: Double]] = [[:], [:]]
    var stepsCounts = [[Double](repeating: 0, count: 21), [Double](repeating: 0, count: 21)]
    var rogueTasks: Set<UInt64> = []
    var rogueByArm = [0, 0]
    var satisfaction: [UInt64: (arm: Int, positive: Double, count: Double)] = [:]
    var segmentSuccess: [String: [ClusterSums]] = [:]
    var segmentCost: [String: [ClusterSums]] = [:]
    var mixed = 0
    var mixedExamples: [String] = []
    var critical = 0
    var criticalExamples: [String] = []
    var stableSequences: [UInt64: UInt64] = [:]
    var shadowSequences: [UInt64: UInt64] = [:]
    var firstTime = [Double.infinity, .infinity]
    var lastTime = [-Double.infinity, -Double.infinity]
    var taskCount = [0, 0]
    var stepTaskCount = [0, 0]

    /// An accumulator for the two versions; conversations first seen at or after `stepStartedAt` count
    /// in the sample-ratio check.
    package init(baselineVersion: String, candidateVersion: String, stepStartedAt: Double?, shadowMode: Bool) {
        self.baselineVersion = baselineVersion
        self.candidateVersion = candidateVersion
        self.stepStartedAt = stepStartedAt
        self.shadowMode = shadowMode
    }

    /// The arm of `version`, or `nil` for another version.
    package func arm(of version: String) -> Arm? {
        version == candidateVersion ? .candidate : version == baselineVersion ? .baseline : nil
    }

    /// Adds one event of `arm`.
    package mutating func add(_ event: AgentEvent, arm: Arm) {
        switch event {
        case .task(let task): add(task, arm: arm)
        case .feedback(let feedback): add(feedback, arm: arm)
        case .violation(let violation): add(violation, arm: arm)
        case .shadow(let shadow):
            shadowSequences[stableHash(shadow.requestId)] = Self.sequenceHash(shadow.proposedToolCalls)
        }
    }

    static func sequenceHash(_ calls: [ToolCall]) -> UInt64 {
        stableHash(calls.map(\.name).joined(separator: "\u{1}"))
    }

    mutating func conversationIndex(_ id: String, arm: Arm, at time: Double) -> Int {
        let hash = stableHash(id)
        let key = (hash << 1) | UInt64(arm.rawValue)
        if let index = conversations[key] { return index }
        let index = totals.count
        var entry = ConversationTotals(arm: arm.rawValue, firstSeen: time)
        if let other = conversations[(hash << 1) | UInt64(1 - arm.rawValue)] {
            entry.mixed = true
            if !totals[other].mixed {
                totals[other].mixed = true
                mixed += 1
                if mixedExamples.count < 5 { mixedExamples.append(id) }
            }
        }
        totals.append(entry)
        conversations[key] = index
        return index
    }

    mutating func add(_ task: TaskEvent, arm: Arm) {
        let a = arm.rawValue
        let index = conversationIndex(task.conversationId, arm: arm, at: task.timestamp)
        taskCount[a] += 1
        if let start = stepStartedAt, task.timestamp >= start { stepTaskCount[a] += 1 }
        if stepStartedAt == nil { stepTaskCount[a] += 1 }
        firstTime[a] = min(firstTime[a], task.timestamp)
        lastTime[a] = max(lastTime[a], task.timestamp)
        totals[index].firstSeen = min(totals[index].firstSeen, task.timestamp)
        totals[index].tasks += 1
        let success = task.outcome == .success
        if success { totals[index].successes += 1 }
        if task.outcome == .error { totals[index].errors += 1 }
        if let cost = task.costUSD {
            totals[index].cost += cost
            totals[index].costCount += 1
        }
        if task.inputTokens != nil || task.outputTokens != nil {
            totals[index].tokens += (task.inputTokens ?? 0) + (task.outputTokens ?? 0)
            totals[index].tokensCount += 1
        }
        if let steps = task.steps {
            totals[index].steps += steps
            totals[index].stepsCount += 1
            stepsCounts[a][min(20, Int(steps))] += 1
        }
        if let score = task.judgeScore {
            totals[index].judge += score
            totals[index].judgeCount += 1
        }
        if let latency = task.latencyMs { self.latency[a].add(latency) }
        for call in task.toolCalls { toolCounts[a][call.name, default: 0] += 1 }
        if task.toolCalls.contains(where: { $0.authorized == false }) {
            markRogue(taskId: task.taskId, conversation: index, arm: a)
        }
        if let category = task.category {
            segmentSuccess[category, default: [ClusterSums(), ClusterSums()]][a].add(y: success ? 1 : 0, n: 1)
            if let cost = task.costUSD {
                segmentCost[category, default: [ClusterSums(), ClusterSums()]][a].add(y: cost, n: 1)
            }
        }
        if arm == .baseline, let request = task.requestId {
            stableSequences[stableHash(request)] = Self.sequenceHash(task.toolCalls)
        }
    }

    mutating func markRogue(taskId: String, conversation: Int, arm: Int) {
        let key = (stableHash(taskId) << 1) | UInt64(arm)
        guard rogueTasks.insert(key).inserted else { return }
        totals[conversation].rogue += 1
        rogueByArm[arm] += 1
    }

    mutating func add(_ violation: ViolationEvent, arm: Arm) {
        let index = conversationIndex(violation.conversationId, arm: arm, at: violation.timestamp)
        markRogue(taskId: violation.taskId, conversation: index, arm: arm.rawValue)
        if violation.severity == .critical, arm == .candidate {
            critical += 1
            if criticalExamples.count < 5 { criticalExamples.append(violation.eventId) }
        }
    }

    mutating func add(_ feedback: FeedbackEvent, arm: Arm) {
        let key = (stableHash(feedback.conversationId ?? feedback.taskId ?? "") << 1) | UInt64(arm.rawValue)
        let positive = feedback.rating.map { $0 >= 4 } ?? feedback.thumbsUp ?? false
        var entry = satisfaction[key] ?? (arm.rawValue, 0, 0)
        entry.positive += positive ? 1 : 0
        entry.count += 1
        satisfaction[key] = entry
    }

    /// The sufficient statistics of everything added.
    package func inputs(
        agent: String, runId: String?, step: StepContext, monitor: MonitorSection, policySha256: String,
        prometheus: [String: [Double?]]
    ) -> LookInputs {
        var sums: [String: [ClusterSums]] = [:]
        let names = [
            "task_success_rate", "error_rate", "cost_per_task", "tokens_per_task", "steps_per_task", "judge_score",
        ]
        for name in names { sums[name] = [ClusterSums(), ClusterSums()] }
        var conversationsPerArm = [0, 0]
        var stepConversations = [0, 0]
        // In the order conversations were first seen, so that sums are the same in every process.
        for t in totals {
            let a = t.arm
            conversationsPerArm[a] += 1
            if let start = stepStartedAt, t.firstSeen >= start { stepConversations[a] += 1 }
            if stepStartedAt == nil { stepConversations[a] += 1 }
            sums["task_success_rate"]![a].add(y: t.successes, n: t.tasks)
            sums["error_rate"]![a].add(y: t.errors, n: t.tasks)
            sums["cost_per_task"]![a].add(y: t.cost, n: t.costCount)
            sums["tokens_per_task"]![a].add(y: t.tokens, n: t.tokensCount)
            sums["steps_per_task"]![a].add(y: t.steps, n: t.stepsCount)
            sums["judge_score"]![a].add(y: t.judge, n: t.judgeCount)
        }
        var satisfactionSums = [ClusterSums(), ClusterSums()]
        for entry in satisfaction.values.sorted(by: {
            ($0.arm, $0.positive, $0.count) < ($1.arm, $1.positive, $1.count)
        }) {
            satisfactionSums[entry.arm].add(y: entry.positive, n: entry.count)
        }
        sums["user_satisfaction"] = satisfactionSums

        var quantiles: [String: QuantileCounts] = [:]
        var pooled = LogHistogram()
        for bucket in 0..<LogHistogram.bucketCount {
            pooled.counts[bucket] = latency[0].counts[bucket] + latency[1].counts[bucket]
        }
        pooled.total = latency[0].total + latency[1].total
        for (name, q) in [("latency_p50", 0.5), ("latency_p95", 0.95), ("latency_p99", 0.99)] {
            guard let bucket = pooled.quantileBucket(q), let b = latency[0].quantile(q), let c = latency[1].quantile(q)
            else { continue }
            quantiles[name] = QuantileCounts(
                quantile: q, threshold: LogHistogram.value(ofBucket: bucket), baselineQuantile: b, candidateQuantile: c,
                baselineAbove: latency[0].above(bucket: bucket), baselineTotal: latency[0].total,
                candidateAbove: latency[1].above(bucket: bucket), candidateTotal: latency[1].total)
        }

        let tools = Set(toolCounts[0].keys).union(toolCounts[1].keys).sorted()
        let toolMix = CategoricalCounts(
            labels: tools, baseline: tools.map { toolCounts[0][$0] ?? 0 },
            candidate: tools.map { toolCounts[1][$0] ?? 0 })
        let stepsMix = CategoricalCounts(
            labels: (0...20).map { $0 == 20 ? "20+" : String($0) }, baseline: stepsCounts[0], candidate: stepsCounts[1])

        var pairs = 0
        var agreements = 0
        for (request, proposed) in shadowSequences {
            guard let stable = stableSequences[request] else { continue }
            pairs += 1
            if stable == proposed { agreements += 1 }
        }
        let segments = Set(segmentSuccess.keys).sorted().map { name in
            SegmentSums(
                name: name, success: segmentSuccess[name]!,
                cost: segmentCost[name] ?? [ClusterSums(), ClusterSums()])
        }
        var rate: Double?
        if taskCount[1] >= 2, lastTime[1] > firstTime[1] {
            rate = Double(taskCount[1]) / (lastTime[1] - firstTime[1])
        }
        let first = min(firstTime[0], firstTime[1])
        let last = max(lastTime[0], lastTime[1])
        return LookInputs(
            agent: agent, runId: runId, baselineVersion: baselineVersion, candidateVersion: candidateVersion,
            step: step,
            monitor: monitor, policySha256: policySha256, ratios: sums, quantiles: quantiles,
            rogue: RareCounts(
                baselineEvents: rogueByArm[0], baselineTasks: taskCount[0], candidateEvents: rogueByArm[1],
                candidateTasks: taskCount[1]),
            toolMix: toolMix, stepsMix: stepsMix, segments: monitor.segments ? segments : [],
            stepConversations: stepConversations, conversations: conversationsPerArm, tasks: taskCount,
            stepTasks: stepTaskCount,
            mixedConversations: mixed, mixedExamples: mixedExamples.sorted(), criticalViolations: critical,
            criticalExamples: criticalExamples.sorted(), shadowPairs: pairs, shadowAgreements: agreements,
            prometheus: prometheus, candidateTaskRate: rate.map { ($0 * 1e6).rounded() / 1e6 },
            firstEventAt: first.isFinite ? first : nil, lastEventAt: last.isFinite ? last : nil)
    }
}

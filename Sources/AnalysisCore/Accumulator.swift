import Foundation
import Policy
import Statistics
import Telemetry
import Vocabulary

/// Aggregates agent events of two arms into the sufficient statistics of a look, in bounded memory:
/// per-conversation totals, fixed-size histograms and counts; no event is kept.
package struct Accumulator {
    package let baselineVersion: String
    package let candidateVersion: String
    private(set) var stepStartedAt: Double?
    let shadowMode: Bool

    var conversations = HashIndex64()
    /// Per-conversation totals (a reference type: an accumulator copied to another thread needs a new one).
    var totals = BlockArray<ConversationTotals>()
    var latency = [LogHistogram(), LogHistogram()]
    /// Tool names seen (hashes) and calls per arm: a handful of tools, so a linear search beats hashing.
    var toolKeys: [UInt64] = []
    var toolCounts: [[Double]] = [[], []]
    var names: [UInt64: String] = [:]
    /// The first names registered, checked before the dictionary (tools and categories are few).
    var recentNames: [UInt64] = []
    var stepsCounts = [[Double](repeating: 0, count: 21), [Double](repeating: 0, count: 21)]
    var rogueTasks = HashSet64(capacity: 64)
    var rogueByArm = [0, 0]
    var satisfaction: [UInt64: (arm: Int, positive: Double, count: Double)] = [:]
    /// Segments (categories) seen and their task-level sums per arm, searched linearly (they are few).
    var segmentKeys: [UInt64] = []
    var segmentSuccess: [[ClusterSums]] = []
    var segmentCost: [[ClusterSums]] = []
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
            shadowSequences[stableHash(shadow.requestId)] = Self.sequenceHash(
                shadow.proposedToolCalls.map { stableHash($0.name) })
        }
    }

    static func sequenceHash(_ tools: some Sequence<UInt64>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for tool in tools {
            hash ^= tool
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    mutating func conversationIndex(_ hash: UInt64, arm: Arm, at time: Double, name: () -> String) -> Int {
        let key = (hash << 1) | UInt64(arm.index)
        if let index = conversations[key] { return index }
        let index = totals.count
        var entry = ConversationTotals(arm: arm.index, firstSeen: time, key: key)
        if let other = conversations[(hash << 1) | UInt64(1 - arm.index)] {
            entry.mixed = true
            if !totals[other].mixed {
                totals[other].mixed = true
                mixed += 1
                if mixedExamples.count < 5 { mixedExamples.append(name()) }
            }
        }
        totals.append(entry)
        conversations.set(key, index)
        return index
    }

    @inline(__always) mutating func countTool(_ tool: UInt64, arm: Int, by count: Double) {
        if let index = toolKeys.firstIndex(of: tool) {
            toolCounts[arm][index] += count
        } else {
            toolKeys.append(tool)
            toolCounts[arm].append(0)
            toolCounts[1 - arm].append(0)
            toolCounts[arm][toolKeys.count - 1] += count
        }
    }

    @inline(__always) mutating func segmentIndex(_ category: UInt64) -> Int {
        if let index = segmentKeys.firstIndex(of: category) { return index }
        segmentKeys.append(category)
        segmentSuccess.append([ClusterSums(), ClusterSums()])
        segmentCost.append([ClusterSums(), ClusterSums()])
        return segmentKeys.count - 1
    }

    func labelled(_ hash: UInt64) -> (label: String, hash: UInt64) {
        (names[hash] ?? String(hash, radix: 16), hash)
    }

    /// Registers the text of a hashed tool or category name the first time it is seen.
    @inline(__always)
    package mutating func name(_ hash: UInt64, _ text: () -> String) {
        if !recentNames.contains(hash), names[hash] == nil {
            names[hash] = text()
        }
        if recentNames.count < 64, !recentNames.contains(hash) { recentNames.append(hash) }
    }

    mutating func add(_ task: TaskEvent, arm: Arm) {
        var facts = TaskFacts(
            timestamp: task.timestamp, conversation: stableHash(task.conversationId), task: stableHash(task.taskId),
            request: task.requestId.map(stableHash) ?? 0, outcome: task.outcome, cost: task.costUSD ?? .nan,
            latency: task.latencyMs ?? .nan, inputTokens: task.inputTokens ?? .nan,
            outputTokens: task.outputTokens ?? .nan, steps: task.steps ?? .nan, judge: task.judgeScore ?? .nan,
            category: 0)
        if let category = task.category {
            facts.category = stableHash(category)
            name(facts.category) { category }
        }
        let tools = task.toolCalls.map { call in
            let hash = stableHash(call.name)
            name(hash) { call.name }
            return hash
        }
        let unauthorized = task.toolCalls.contains { $0.authorized == false }
        tools.withUnsafeBufferPointer { buffer in
            add(facts, tools: buffer, unauthorized: unauthorized, arm: arm) { task.conversationId }
        }
    }

    /// Adds one task given as hashes and numbers (the fast path's form; NaN for an absent number).
    /// A new step starts at `time`: the step's own task count and the sample-ratio check start again (for
    /// accumulators kept across steps, as the decision benchmark does; the monitor makes one per look).
    package mutating func startStep(at time: Double) {
        stepStartedAt = time
        stepTaskCount = [0, 0]
    }

    package mutating func add(
        _ task: TaskFacts, tools: UnsafeBufferPointer<UInt64>, unauthorized: Bool, arm: Arm,
        conversationName: () -> String
    ) {
        let a = arm.index
        let index = conversationIndex(task.conversation, arm: arm, at: task.timestamp, name: conversationName)
        taskCount[a] += 1
        if let start = stepStartedAt, task.timestamp >= start { stepTaskCount[a] += 1 }
        if stepStartedAt == nil { stepTaskCount[a] += 1 }
        firstTime[a] = min(firstTime[a], task.timestamp)
        lastTime[a] = max(lastTime[a], task.timestamp)
        var t = totals[index]
        t.firstSeen = min(t.firstSeen, task.timestamp)
        t.tasks += 1
        let success = task.outcome == .success
        if success { t.successes += 1 }
        if task.outcome == .error { t.errors += 1 }
        if !task.cost.isNaN {
            t.cost += task.cost
            t.costCount += 1
        }
        if !task.inputTokens.isNaN || !task.outputTokens.isNaN {
            t.tokens +=
                (task.inputTokens.isNaN ? 0 : task.inputTokens) + (task.outputTokens.isNaN ? 0 : task.outputTokens)
            t.tokensCount += 1
        }
        if !task.steps.isNaN {
            t.steps += task.steps
            t.stepsCount += 1
            stepsCounts[a][Int(min(20, task.steps))] += 1
        }
        if !task.judge.isNaN {
            t.judge += task.judge
            t.judgeCount += 1
        }
        totals[index] = t
        if !task.latency.isNaN { latency[a].add(task.latency) }
        for tool in tools { countTool(tool, arm: a, by: 1) }
        if unauthorized { markRogue(task: task.task, conversation: index, arm: a) }
        if task.category != 0 {
            let segment = segmentIndex(task.category)
            segmentSuccess[segment][a].add(y: success ? 1 : 0, n: 1)
            if !task.cost.isNaN { segmentCost[segment][a].add(y: task.cost, n: 1) }
        }
        if shadowMode, arm == .baseline, task.request != 0 {
            stableSequences[task.request] = Self.sequenceHash(tools)
        }
    }

    mutating func markRogue(task: UInt64, conversation: Int, arm: Int) {
        let key = (task << 1) | UInt64(arm)
        guard rogueTasks.insert(key) else { return }
        totals[conversation].rogue += 1
        rogueByArm[arm] += 1
    }

    mutating func add(_ violation: ViolationEvent, arm: Arm) {
        let index = conversationIndex(
            stableHash(violation.conversationId), arm: arm, at: violation.timestamp, name: { violation.conversationId })
        markRogue(task: stableHash(violation.taskId), conversation: index, arm: arm.index)
        if violation.severity == .critical, arm == .candidate {
            critical += 1
            if criticalExamples.count < 5 { criticalExamples.append(violation.eventId) }
        }
    }

    mutating func add(_ feedback: FeedbackEvent, arm: Arm) {
        let key = (stableHash(feedback.conversationId ?? feedback.taskId ?? "") << 1) | UInt64(arm.index)
        let positive = feedback.rating.map { $0 >= 4 } ?? feedback.thumbsUp ?? false
        var entry = satisfaction[key] ?? (arm.index, 0, 0)
        entry.positive += positive ? 1 : 0
        entry.count += 1
        satisfaction[key] = entry
    }

    /// The sufficient statistics of everything added.
    package func inputs(
        agent: String, runId: String?, step: StepContext, monitor: MonitorSection, policySha256: String,
        prometheus: [String: PerArm<Double?>]
    ) -> LookInputs {
        var success = [ClusterSums(), ClusterSums()]
        var errors = [ClusterSums(), ClusterSums()]
        var cost = [ClusterSums(), ClusterSums()]
        var tokens = [ClusterSums(), ClusterSums()]
        var steps = [ClusterSums(), ClusterSums()]
        var judge = [ClusterSums(), ClusterSums()]
        var conversationsPerArm = [0, 0]
        var stepConversations = [0, 0]
        // In the order conversations were first seen, so that sums are the same in every process.
        for t in totals {
            let a = t.arm
            conversationsPerArm[a] += 1
            if let start = stepStartedAt, t.firstSeen >= start { stepConversations[a] += 1 }
            if stepStartedAt == nil { stepConversations[a] += 1 }
            let tasks = Double(t.tasks)
            success[a].add(y: Double(t.successes), n: tasks)
            errors[a].add(y: Double(t.errors), n: tasks)
            cost[a].add(y: t.cost, n: Double(t.costCount))
            tokens[a].add(y: t.tokens, n: Double(t.tokensCount))
            steps[a].add(y: t.steps, n: Double(t.stepsCount))
            judge[a].add(y: t.judge, n: Double(t.judgeCount))
        }
        var sums: [String: [ClusterSums]] = [
            "task_success_rate": success, "error_rate": errors, "cost_per_task": cost, "tokens_per_task": tokens,
            "steps_per_task": steps, "judge_score": judge,
        ]
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

        let tools = toolKeys.indices.map { index in (labelled(toolKeys[index]).label, index) }.sorted { $0.0 < $1.0 }
        let toolMix = CategoricalCounts(
            labels: tools.map(\.0), baseline: tools.map { toolCounts[0][$0.1] },
            candidate: tools.map { toolCounts[1][$0.1] })
        let stepsMix = CategoricalCounts(
            labels: (0...20).map { $0 == 20 ? "20+" : String($0) }, baseline: stepsCounts[0], candidate: stepsCounts[1])

        var pairs = 0
        var agreements = 0
        for (request, proposed) in shadowSequences {
            guard let stable = stableSequences[request] else { continue }
            pairs += 1
            if stable == proposed { agreements += 1 }
        }
        let segmentKeys = segmentKeys.indices.map { index in
            (label: labelled(self.segmentKeys[index]).label, index: index)
        }
        let segments = segmentKeys.sorted { $0.label < $1.label }.map { key in
            SegmentSums(
                name: key.label, success: PerArm(indexed: segmentSuccess[key.index]),
                cost: PerArm(indexed: segmentCost[key.index]))
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
            monitor: monitor, policySha256: policySha256, ratios: sums.mapValues(PerArm.init(indexed:)),
            quantiles: quantiles,
            rogue: RareCounts(
                baselineEvents: rogueByArm[0], baselineTasks: taskCount[0], candidateEvents: rogueByArm[1],
                candidateTasks: taskCount[1]),
            toolMix: toolMix, stepsMix: stepsMix,
            segments: monitor.segments || monitor.adjustFor != nil ? segments : [],
            stepConversations: PerArm(indexed: stepConversations), conversations: PerArm(indexed: conversationsPerArm),
            tasks: PerArm(indexed: taskCount), stepTasks: PerArm(indexed: stepTaskCount),
            mixedConversations: mixed, mixedExamples: mixedExamples.sorted(), criticalViolations: critical,
            criticalExamples: criticalExamples.sorted(), shadowPairs: pairs, shadowAgreements: agreements,
            prometheus: prometheus, candidateTaskRate: rate.map { ($0 * 1e6).rounded() / 1e6 },
            firstEventAt: first.isFinite ? first : nil, lastEventAt: last.isFinite ? last : nil)
    }
}

import AnalysisCore
import Foundation
import Policy
import RunLedger
import Telemetry
import Vocabulary

/// Deduplicates a look's events and, for a run, turns the new ones into ledger rows: every task's numbers,
/// the content of failed and rogue tasks, and a bounded random sample of successes' content per arm (the
/// `retainSuccesses` successes with the smallest sample keys, a bottom-k sample that stays uniform however
/// the events arrive).
///
/// A run's new rows go to a ``TelemetrySpill`` in batches as they come, so memory does not grow with the
/// file: what stays in memory is 8 bytes per event (its key, for deduplication), the stable version's tool
/// sequence per request (two hashes, for shadow agreement), the tasks that a violation names, and the sample.
package struct LookEvents {
    let runId: String?
    let stepIndex: Int?
    let retainSuccesses: Int
    /// Where a run's new rows wait for the look's commit (`nil` without a run).
    let spill: TelemetrySpill?
    /// Rows per batch written to the spill.
    static let batchSize = 4_096
    var seen = HashSet64()
    /// Fast-path keys collected for one check at the end (see ``admit(hash:)``).
    var optimisticKeys: [UInt64] = []
    /// Deduplicate every event at once (a run's look, or a second pass after a duplicate was found).
    package var exact = false
    package var newEvents = 0
    package var duplicates = 0
    var tasks: [TelemetryTaskRow] = []
    var feedback: [TelemetryFeedbackRow] = []
    var violations: [TelemetryViolationRow] = []
    var shadow: [TelemetryShadowRow] = []
    /// Stored successes whose content is kept, per arm: (event key, sample key).
    var storedSample: [[(String, Double)]] = [[], []]
    var unsampled: [String] = []
    var violatedTasks: Set<String> = []
    /// The stable version's tool sequence per request: hashes of the request id and of the sequence.
    var stableSequences: [UInt64: UInt64] = [:]
    var pendingShadow: [(key: String, request: UInt64, sequence: UInt64)] = []
    var shadowAgreements: [String: Bool] = [:]

    package init(runId: String?, stepIndex: Int?, retainSuccesses: Int, spill: TelemetrySpill? = nil) {
        self.runId = runId
        self.stepIndex = stepIndex
        self.retainSuccesses = retainSuccesses
        self.spill = spill
    }

    static func key(of event: AgentEvent) -> String { event.eventId }

    static func sampleKey(_ key: String) -> Double {
        Double(stableHash("sample:" + key) >> 11) / Double(1 << 53)
    }

    struct StoredCall: Codable {
        var name: String
        var authorized: Bool?
    }

    static func encodeCalls(_ calls: [ToolCall]) -> String {
        let stored = calls.map { StoredCall(name: $0.name, authorized: $0.authorized) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(stored)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    static func decodeCalls(_ text: String) -> [ToolCall] {
        let stored = (try? JSONDecoder().decode([StoredCall].self, from: Data(text.utf8))) ?? []
        return stored.map { ToolCall(name: $0.name, authorized: $0.authorized) }
    }

    /// A hash of the names of `calls`, in order: equal for equal sequences.
    static func sequence(_ calls: [ToolCall]) -> UInt64 { stableHash(calls.map(\.name).joined(separator: "\u{1}")) }

    /// Feeds one row of the run's stored telemetry to `accumulator`.
    package mutating func load(_ stored: StoredTelemetryRow, into accumulator: inout Accumulator) {
        switch stored {
        case .task(let row):
            _ = seen.insert(stableHash(row.eventKey))
            let arm = row.arm
            let calls = Self.decodeCalls(row.toolCalls)
            var task = TaskEvent(
                timestamp: row.timestamp, eventId: row.eventKey, version: row.version,
                conversationId: row.conversationId, taskId: row.taskId, requestId: row.requestId,
                outcome: row.outcome, costUSD: row.costUSD, latencyMs: row.latencyMs,
                inputTokens: row.inputTokens, outputTokens: row.outputTokens, steps: row.steps, toolCalls: calls,
                category: row.category, input: nil, output: nil)
            task.judgeScore = row.judgeScore
            accumulator.add(.task(task), arm: arm)
            if row.sampled { storedSample[arm.index].append((row.eventKey, row.sampleKey)) }
            if arm == .baseline, let request = row.requestId {
                stableSequences[stableHash(request)] = Self.sequence(calls)
            }
        case .feedback(let row):
            _ = seen.insert(stableHash(row.eventKey))
            accumulator.add(
                .feedback(
                    FeedbackEvent(
                        timestamp: row.timestamp, eventId: row.eventKey, version: row.version, taskId: row.taskId,
                        conversationId: row.conversationId, rating: row.rating, thumbsUp: row.thumbsUp,
                        comment: row.comment)), arm: row.arm)
        case .violation(let row):
            _ = seen.insert(stableHash(row.eventKey))
            violatedTasks.insert(row.taskId)
            accumulator.add(
                .violation(
                    ViolationEvent(
                        timestamp: row.timestamp, eventId: row.eventKey, version: row.version, taskId: row.taskId,
                        conversationId: row.conversationId, action: row.action,
                        severity: row.severity, policy: row.policy)),
                arm: row.arm)
        case .shadow(let row):
            _ = seen.insert(stableHash(row.eventKey))
            let calls = Self.decodeCalls(row.proposedToolCalls)
            accumulator.add(
                .shadow(
                    ShadowEvent(
                        timestamp: row.timestamp, eventId: row.eventKey, version: row.version,
                        requestId: row.requestId, conversationId: row.conversationId, proposedToolCalls: calls,
                        output: nil)), arm: .candidate)
            if row.agrees == nil {
                pendingShadow.append((row.eventKey, stableHash(row.requestId), Self.sequence(calls)))
            }
        }
    }

    /// Whether the event with the key `hash` is new (the fast path, which stores nothing).
    ///
    /// Unless `exact`, the key is only collected, and ``optimisticKeysAreUnique()`` checks all of them at the
    /// end (one sort instead of a random-access insert per event); when it finds a duplicate, the monitor
    /// reads the input again with `exact` set, so a duplicate is never counted.
    mutating func admit(hash: UInt64) -> Bool {
        guard exact else {
            optimisticKeys.append(hash)
            newEvents += 1
            return true
        }
        guard seen.insert(hash) else {
            duplicates += 1
            return false
        }
        newEvents += 1
        return true
    }

    /// Whether the collected keys hold no duplicate, among themselves or with the events deduplicated exactly.
    package mutating func optimisticKeysAreUnique() -> Bool {
        optimisticKeys.sort()
        for index in optimisticKeys.indices.dropFirst() where optimisticKeys[index] == optimisticKeys[index - 1] {
            return false
        }
        for key in seen.elements {
            var low = 0
            var high = optimisticKeys.count
            while low < high {
                let middle = (low + high) / 2
                if optimisticKeys[middle] < key { low = middle + 1 } else { high = middle }
            }
            // Keys are stored normalised (0 → 1) in the set.
            if low < optimisticKeys.count, HashSet64.normalise(optimisticKeys[low]) == key { return false }
        }
        return true
    }

    /// Adds another part's deduplication (nothing stored); `false` when an event is in both parts.
    mutating func merge(_ other: inout LookEvents) -> Bool {
        seen.reserve(seen.count + other.seen.count)
        for key in other.seen.keys where key != 0 {
            guard seen.insert(key) else { return false }
        }
        other.seen = HashSet64(capacity: 1)
        optimisticKeys += other.optimisticKeys
        other.optimisticKeys = []
        newEvents += other.newEvents
        duplicates += other.duplicates
        return true
    }

    /// Whether `event` is new; a new event of a run becomes a row.
    mutating func admit(_ event: AgentEvent, arm: Arm) throws -> Bool {
        guard seen.insert(stableHash(Self.key(of: event))) else {
            duplicates += 1
            return false
        }
        newEvents += 1
        guard runId != nil else { return true }
        switch event {
        case .task(let task):
            let unauthorized = task.toolCalls.filter { $0.authorized == false }.count
            tasks.append(
                TelemetryTaskRow(
                    eventKey: task.eventId, arm: arm, version: task.version, stepIndex: stepIndex,
                    conversationId: task.conversationId, taskId: task.taskId, requestId: task.requestId,
                    traceId: task.traceId, spanId: task.spanId, timestamp: task.timestamp,
                    outcome: task.outcome, costUSD: task.costUSD,
                    costSource: task.costUSD == nil ? nil : task.costFromPrices ? "price_table" : "reported",
                    latencyMs: task.latencyMs, inputTokens: task.inputTokens, outputTokens: task.outputTokens,
                    steps: task.steps, toolCalls: Self.encodeCalls(task.toolCalls), unauthorized: unauthorized,
                    category: task.category, judgeScore: task.judgeScore, sampleKey: Self.sampleKey(task.eventId),
                    sampled: false, input: task.input, output: task.output))
            if arm == .baseline, let request = task.requestId {
                stableSequences[stableHash(request)] = Self.sequence(task.toolCalls)
            }
        case .feedback(let item):
            feedback.append(
                TelemetryFeedbackRow(
                    eventKey: item.eventId, arm: arm, version: item.version, taskId: item.taskId,
                    conversationId: item.conversationId, timestamp: item.timestamp, rating: item.rating,
                    thumbsUp: item.thumbsUp, comment: item.comment))
        case .violation(let item):
            violatedTasks.insert(item.taskId)
            violations.append(
                TelemetryViolationRow(
                    eventKey: item.eventId, arm: arm, version: item.version, taskId: item.taskId,
                    conversationId: item.conversationId, timestamp: item.timestamp, action: item.action,
                    severity: item.severity, policy: item.policy))
        case .shadow(let item):
            shadow.append(
                TelemetryShadowRow(
                    eventKey: item.eventId, version: item.version, requestId: item.requestId,
                    conversationId: item.conversationId, timestamp: item.timestamp,
                    proposedToolCalls: Self.encodeCalls(item.proposedToolCalls), output: item.output, agrees: nil))
        }
        if tasks.count + feedback.count + violations.count + shadow.count >= Self.batchSize { try flush() }
        return true
    }

    /// Writes the rows held in memory to the spill.
    mutating func flush() throws {
        guard let spill else { return }
        try spill.append(tasks: tasks, feedback: feedback, violations: violations, shadow: shadow)
        tasks.removeAll(keepingCapacity: true)
        feedback.removeAll(keepingCapacity: true)
        violations.removeAll(keepingCapacity: true)
        shadow.removeAll(keepingCapacity: true)
    }

    /// Chooses which successes keep their content, and pairs shadow proposals with the stable version.
    ///
    /// The sample is the `retainSuccesses` candidates per arm with the smallest (sample key, event key), among
    /// the stored sample and the new successes without unauthorized calls that no violation names; kept as a
    /// bounded list, pruned to `retainSuccesses` whenever it doubles.
    package mutating func finishSample() throws {
        guard runId != nil else { return }
        try flush()
        guard let spill else { return }
        try spill.excludeCandidates(taskIds: violatedTasks)
        typealias Candidate = (key: String, sampleKey: Double, rowid: Int64)
        var candidates: [[Candidate]] = Arm.allCases.map { arm in
            storedSample[arm.index].map { (key: $0.0, sampleKey: $0.1, rowid: -1) }
        }
        let limit = retainSuccesses
        func prune(_ list: inout [Candidate]) {
            list.sort { ($0.sampleKey, $0.key) < ($1.sampleKey, $1.key) }
            if list.count > limit { list.removeLast(list.count - limit) }
        }
        try spill.forEachCandidate { rowid, arm, sampleKey, key in
            let index = arm == Arm.candidate.rawValue ? Arm.candidate.index : Arm.baseline.index
            candidates[index].append((key, sampleKey, rowid))
            if candidates[index].count >= 2 * max(limit, 1) { prune(&candidates[index]) }
        }
        var kept: [Int64] = []
        for index in candidates.indices {
            prune(&candidates[index])
            let keptKeys = Set(candidates[index].map(\.key))
            kept += candidates[index].map(\.rowid).filter { $0 >= 0 }
            unsampled += storedSample[index].map(\.0).filter { !keptKeys.contains($0) }
        }
        try spill.keepSample(kept.sorted())
        var agreements: [(rowid: Int64, agrees: Bool)] = []
        try spill.forEachShadow { rowid, request, proposed in
            if let stable = stableSequences[stableHash(request)] {
                agreements.append((rowid, stable == Self.sequence(Self.decodeCalls(proposed))))
            }
        }
        try spill.setAgreements(agreements)
        for pending in pendingShadow {
            if let stable = stableSequences[pending.request] {
                shadowAgreements[pending.key] = stable == pending.sequence
            }
        }
    }

    package func fill(_ write: inout LookWrite) {
        write.tasks = tasks
        write.feedback = feedback
        write.violations = violations
        write.shadow = shadow
        write.unsampled = unsampled
        write.shadowAgreements = shadowAgreements
        write.spill = spill
    }
}

import AnalysisCore
import Artifacts
import Foundation
import Policy
import RunLedger
import Synchronization
import Telemetry
import Vocabulary

/// One pass over telemetry sources into an accumulator: version to arm, deduplication, the fast path for
/// native task lines when nothing is stored, and the rows a run keeps.
package struct Ingestion {
    package var accumulator: Accumulator
    package var events: LookEvents
    package var reader: TelemetryReader
    let failOnUnknown: Bool
    let baselineVersion: String
    let candidateVersion: String
    let baselineBytes: [UInt8]
    let candidateBytes: [UInt8]
    package var unknownSkipped = 0
    package var sources: [SourceSummary] = []
    package var cursors: [TelemetryCursor] = []

    package init(
        accumulator: Accumulator, events: LookEvents, monitor: MonitorSection, incremental: Bool, maxLineBytes: Int,
        now: Double? = nil
    ) {
        self.accumulator = accumulator
        self.events = events
        self.reader = TelemetryReader(
            skipMalformed: monitor.malformed == .skip,
            otlp: OTLPOptions(monitor: monitor),
            incremental: incremental, maxLineBytes: maxLineBytes, now: now)
        failOnUnknown = monitor.unknownVersions == .fail
        baselineVersion = accumulator.baselineVersion
        candidateVersion = accumulator.candidateVersion
        baselineBytes = Array(baselineVersion.utf8)
        candidateBytes = Array(candidateVersion.utf8)
    }

    /// Reads `file` (from its cursor, or only `range` of it); `fastPath` when nothing is stored.
    package mutating func ingest(
        file: String, format: SourceFormat, cursor: TelemetryCursor?, range: Range<Int>? = nil, fastPath: Bool
    ) throws {
        var this = self
        defer { self = this }
        let fast: ((FastTaskScanner, UnsafeBufferPointer<UInt8>, Int) throws -> Void)? =
            fastPath ? { scanner, bytes, line in try this.fast(scanner, bytes, line: line, file: file) } : nil
        var reader = this.reader
        let (next, summary) = try reader.read(
            file: file, format: format, cursor: cursor, range: range, fast: fast
        ) { event, line in
            try this.slow(event, line: line, file: file)
        }
        this.reader = reader
        this.sources.append(summary)
        if let next { this.cursors.append(next) }
    }

    mutating func slow(_ event: AgentEvent, line: Int, file: String) throws {
        let version = event.version
        guard let arm = accumulator.arm(of: version) else {
            if failOnUnknown {
                throw MonitorError.unknownVersion(
                    file: file, line: line, version: version, expected: [baselineVersion, candidateVersion])
            }
            unknownSkipped += 1
            return
        }
        guard try events.admit(event, arm: arm) else { return }
        accumulator.add(event, arm: arm)
    }

    @inline(__always)
    mutating func fast(_ scanner: FastTaskScanner, _ bytes: UnsafeBufferPointer<UInt8>, line: Int, file: String) throws
    {
        let version = UnsafeBufferPointer(rebasing: bytes[scanner.versionRange])
        let arm: Arm
        if Self.same(version, candidateBytes) {
            arm = .candidate
        } else if Self.same(version, baselineBytes) {
            arm = .baseline
        } else {
            if failOnUnknown {
                throw MonitorError.unknownVersion(
                    file: file, line: line, version: String(decoding: version, as: UTF8.self),
                    expected: [baselineVersion, candidateVersion])
            }
            unknownSkipped += 1
            return
        }
        guard events.admit(hash: scanner.eventHash) else { return }
        if let range = scanner.categoryRange {
            accumulator.name(scanner.categoryHash) {
                String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            }
        }
        scanner.withToolHashes { hashes in
            for (index, hash) in hashes.enumerated() {
                accumulator.name(hash) {
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[scanner.toolRange(index)]), as: UTF8.self)
                }
            }
        }
        let facts = TaskFacts(
            timestamp: scanner.timestamp, conversation: scanner.conversationHash, task: scanner.taskHash,
            request: scanner.requestHash, outcome: scanner.outcome, cost: scanner.cost, latency: scanner.latency,
            inputTokens: scanner.inputTokens, outputTokens: scanner.outputTokens, steps: scanner.steps,
            judge: scanner.judge, category: scanner.categoryRange == nil ? 0 : scanner.categoryHash)
        scanner.withToolHashes { tools in
            accumulator.add(facts, tools: tools, unauthorized: scanner.unauthorized, arm: arm) {
                String(decoding: UnsafeBufferPointer(rebasing: bytes[scanner.conversationRange]), as: UTF8.self)
            }
        }
    }

    @inline(__always) static func same(_ a: UnsafeBufferPointer<UInt8>, _ b: [UInt8]) -> Bool {
        guard a.count == b.count, let base = a.baseAddress else { return a.count == b.count && b.isEmpty }
        return b.withUnsafeBufferPointer { other in
            guard let start = other.baseAddress else { return false }
            return memcmp(base, start, a.count) == 0
        }
    }

    /// Adds another part's ingestion of the same look; `false` when the parts interact in a way only one
    /// sequential pass handles exactly (an event, a rogue task or a conversation's other version in both).
    ///
    /// `other` is emptied as it is merged, so the two parts' tables do not all live at once.
    mutating func merge(_ other: inout Ingestion) -> Bool {
        guard events.merge(&other.events), accumulator.merge(&other.accumulator) else { return false }
        unknownSkipped += other.unknownSkipped
        return true
    }

    /// Reads one large native file in two halves on two threads when nothing is stored, merging the
    /// results; falls back to one pass when a half fails or the halves interact.
    package static func parallel(
        file: String, size: Int, template: Ingestion
    ) throws -> Ingestion? {
        guard let split = lineStart(after: size / 2, in: file), split > 0, split < size else { return nil }
        let ranges = [0..<split, split..<size]
        // Safety: the two parts write `parts` and `failed` under `lock` only, and they are read after
        // concurrentPerform returns. (The Mutex guards fields beside it: holding them would need `Ingestion` to
        // be Sendable, which its tables are not.)
        final class Results: @unchecked Sendable {
            var parts: [Ingestion?]
            var failed = false
            let lock = Mutex(())
            init(_ count: Int) { parts = Array(repeating: nil, count: count) }
        }
        let results = Results(ranges.count)
        nonisolated(unsafe) let base = template
        DispatchQueue.concurrentPerform(iterations: ranges.count) { index in
            var part = base
            part.accumulator.detachConversations()
            let began = Date()
            defer {
                if ProcessInfo.processInfo.environment["AGENT_CANARY_PROFILE"] == "1" {
                    FileHandle.standardError.write(
                        Data(
                            "profile: part \(index) \(String(format: "%.3f", Date().timeIntervalSince(began))) s\n".utf8
                        ))
                }
            }
            do {
                try part.ingest(file: file, format: .native, cursor: nil, range: ranges[index], fastPath: true)
                // Line numbers of the second half are not known: let one pass report skipped lines.
                if part.reader.skipped > 0 { throw CancellationError() }
                // Sorted here, on this thread: the final check then merges two sorted runs.
                part.events.optimisticKeys.sort()
                results.lock.withLock { _ in results.parts[index] = part }
            } catch {
                results.lock.withLock { _ in results.failed = true }
            }
        }
        let parsed = Date()
        defer {
            if ProcessInfo.processInfo.environment["AGENT_CANARY_PROFILE"] == "1" {
                FileHandle.standardError.write(
                    Data("profile: merge \(String(format: "%.3f", Date().timeIntervalSince(parsed))) s\n".utf8))
            }
        }
        guard !results.failed, var first = results.parts[0], var second = results.parts[1] else { return nil }
        results.parts = []
        let lines = first.sources.reduce(0) { $0 + $1.lines } + second.sources.reduce(0) { $0 + $1.lines }
        guard first.merge(&second) else { return nil }
        first.sources = [
            SourceSummary(
                path: file, format: SourceFormat.native.rawValue, fromOffset: 0, toOffset: size,
                lines: lines)
        ]
        return first
    }

    /// The offset of the first line starting at or after `offset`.
    static func lineStart(after offset: Int, in file: String) -> Int? {
        guard let handle = FileHandle(forReadingAtPath: file) else { return nil }
        defer { try? handle.close() }
        try? handle.seek(toOffset: UInt64(offset))
        var position = offset
        while let data = try? handle.read(upToCount: 1 << 16), !data.isEmpty {
            if let index = data.firstIndex(of: 0x0A) { return position + (index - data.startIndex) + 1 }
            position += data.count
        }
        return nil
    }
}

extension OTLPOptions {
    /// How spans become tasks under the policy's `monitor.otlp` and `monitor.prices`.
    package init(monitor: MonitorSection) {
        self.init(
            successEvaluation: monitor.otlp.successEvaluation,
            authorizationAttribute: monitor.otlp.authorizationAttribute,
            categoryAttribute: monitor.otlp.categoryAttribute,
            prices: monitor.prices.mapValues { ($0.inputPerMillion, $0.outputPerMillion) })
        taskSpan = monitor.otlp.taskSpan
        conversationAttribute = monitor.otlp.conversationAttribute
        versionAttribute = monitor.otlp.versionAttribute
        approvalRequired = Set(monitor.otlp.approvalRequired)
        judgeEvaluation = monitor.otlp.judgeEvaluation
        satisfactionEvaluation = monitor.otlp.satisfactionEvaluation
        shadowAttribute = monitor.otlp.shadowAttribute
        shadowValue = monitor.otlp.shadowValue
        requestAttribute = monitor.otlp.requestAttribute
        evaluationWait = Double(monitor.otlp.evaluationWaitSeconds)
    }
}

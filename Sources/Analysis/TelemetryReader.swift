import AnalysisCore
import Artifacts
import Foundation
import JSONLines
import RunLedger
import Telemetry
import ToolContract

/// The format of a telemetry source.
package enum SourceFormat: String, Sendable {
    case native
    case otlp
}

/// One `--events` or `--otlp` argument.
package struct SourceSpec: Sendable, Equatable {
    package var path: String
    package var format: SourceFormat

    /// Makes a source.
    package init(path: String, format: SourceFormat) {
        self.path = path
        self.format = format
    }
}

/// Reads telemetry files as a stream of events, in chunks so memory stays bounded whatever the file size,
/// resuming each file where the previous look stopped.
package struct TelemetryReader {
    /// What to do with a malformed line: `fail` or `skip`.
    let skipMalformed: Bool
    let otlp: OTLPOptions
    /// Whether a trailing line without a newline that does not parse is left for the next look (a writer
    /// may be in the middle of it) rather than reported.
    let incremental: Bool
    /// The longest line read; a longer one is bad input (a stream without newlines would otherwise grow the
    /// buffer without bound).
    let maxLineBytes: Int
    package private(set) var skipped = 0
    package private(set) var warnings: [String] = []
    /// The traces read that gave no task, by reason.
    package private(set) var unusable = UnusableTally()
    /// The bytes read at a time (1 MiB).
    package var chunkSize = 1 << 20
    /// How much of an OTLP file is read past a trace's opening span before the trace is read (its late spans,
    /// written in later export batches, come within it): what bounds a file look's memory, whatever the file's
    /// size (16 MiB).
    package var otlpWindow = 16 << 20
    /// The default of ``maxLineBytes`` (`monitor --max-line-bytes`): 64 MiB, far above an OTLP export batch.
    package static let defaultMaxLineBytes = 64 << 20

    /// The look's time (seconds since 1970), against which a task waits for its evaluation result; `nil` for a
    /// look that counts every complete trace at once.
    let now: Double?

    /// A reader.
    package init(
        skipMalformed: Bool, otlp: OTLPOptions, incremental: Bool, maxLineBytes: Int = defaultMaxLineBytes,
        now: Double? = nil
    ) {
        self.skipMalformed = skipMalformed
        self.otlp = otlp
        self.incremental = incremental
        self.maxLineBytes = maxLineBytes
        self.now = now
    }

    /// Counts a malformed line or record skipped (`malformed: skip`), keeping the first messages as warnings.
    mutating func noteSkipped(_ error: TelemetryError) {
        skipped += 1
        if warnings.count < 20 { warnings.append("skipped: \(error)") }
    }

    /// Keeps a warning for the look's output.
    mutating func note(_ warning: String) {
        if warnings.count < 20 { warnings.append(warning) }
    }

    /// Counts a complete trace of `spans` spans that gave no task.
    mutating func noteUnusable(_ reason: UnusableReason, spans: Int) {
        unusable.add(reason, spans: spans)
    }

    /// Reads the tasks of a complete trace into `event`, counting the trace when it gives none; `file` and
    /// `line` (its first line) name it in an error. Returns `false`, reading nothing, when an incremental look
    /// leaves the trace for a later one: a task has no success evaluation yet and the policy's
    /// `evaluation_wait` since it ended has not passed (the result may still arrive as a log record).
    ///
    /// While `settling` (a trace read before the end of its file), a trace whose tasks have no success
    /// evaluation yet is left for the end of the file, where its result may still be.
    mutating func readTrace(
        _ spans: [OTLPSpan], file: String, line: Int, settling: Bool = false, event: (AgentEvent, Int) throws -> Void
    ) throws -> Bool {
        let traced = try OTLPTaskBuilder(options: otlp).checkedTasks(spans: spans, file: file, line: line)
        if settling, traced.awaitingEvaluation { return false }
        if incremental, let now, traced.awaitingEvaluation, now < traced.endedAt + otlp.evaluationWait {
            return false
        }
        if let reason = traced.unusable { noteUnusable(reason, spans: spans.count) }
        for traced in traced.all { try event(traced, line) }
        return true
    }

    /// The files of a source: a file, every `.jsonl`/`.json`/`.ndjson` file of a directory (sorted), or `-`.
    package static func files(of spec: SourceSpec) throws(ArtifactError) -> [String] {
        if spec.path == "-" { return ["-"] }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: spec.path, isDirectory: &isDirectory) else {
            throw .missingFile(path: spec.path)
        }
        guard isDirectory.boolValue else { return [spec.path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: spec.path)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") || $0.hasSuffix(".json") || $0.hasSuffix(".ndjson") }.sorted()
            .map { (spec.path as NSString).appendingPathComponent($0) }
    }

    /// The identity of a file's content: device, inode and the SHA-256 of its first 4 KiB (a file replaced or
    /// truncated under the same name starts again from the beginning).
    static func identity(of path: String, descriptor: Int32) -> String {
        var info = stat()
        fstat(descriptor, &info)
        var prefix = [UInt8](repeating: 0, count: 4096)
        let count = pread(descriptor, &prefix, 4096, 0)
        let head = Digest.sha256(Data(prefix[0..<max(0, count)]))
        return "\(info.st_dev):\(info.st_ino):\(head.prefix(16))"
    }

    /// Reads one file from its cursor, calling `event` for every event; returns the new cursor and the
    /// source's summary.
    ///
    /// With `fast`, native task lines go through ``FastTaskScanner`` to `fast` without being materialised;
    /// every other line (and any line the scanner is unsure of) goes through the full parser to `event`.
    package mutating func read(
        file path: String, format: SourceFormat, cursor: TelemetryCursor?, range: Range<Int>? = nil,
        fast: ((FastTaskScanner, UnsafeBufferPointer<UInt8>, Int) throws -> Void)? = nil,
        event: (AgentEvent, Int) throws -> Void
    ) throws -> (cursor: TelemetryCursor?, summary: SourceSummary) {
        let descriptor: Int32 = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ArtifactError.missingFile(path: path) }
        defer { if path != "-" { close(descriptor) } }
        let identity = path == "-" ? "stdin" : Self.identity(of: path, descriptor: descriptor)
        var size = 0
        if path != "-" {
            var info = stat()
            fstat(descriptor, &info)
            size = Int(info.st_size)
        }
        var start = 0
        var line = 0
        if let cursor, cursor.identity == identity, cursor.offset <= size {
            start = cursor.offset
            line = cursor.line
        }
        var limit = Int.max
        if let range {
            start = range.lowerBound
            limit = range.upperBound
        }
        if path != "-", start > 0 { lseek(descriptor, off_t(start), SEEK_SET) }

        let fromOffset = start
        var consumed = start
        var ended = false
        var otlpState = OTLPState()
        let nativeParser = NativeEventParser(file: path)
        let otlpParser = OTLPTraceParser(file: path)
        var linesRead = 0
        var scanner = FastTaskScanner()

        func handle(_ bytes: UnsafeBufferPointer<UInt8>, number: Int, lineStart: Int, final: Bool) throws -> Bool {
            // Blank lines are allowed.
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return true }
            do {
                switch format {
                case .native:
                    if let fast, scanner.scan(bytes) {
                        try fast(scanner, bytes, number)
                    } else {
                        try event(try nativeParser.event(bytes, line: number), number)
                    }
                case .otlp:
                    let spans = try otlpParser.spans(bytes, line: number)
                    otlpState.add(spans, lineStart: lineStart, line: number)
                }
            } catch let error as TelemetryError {
                if final, incremental { return false }
                guard skipMalformed else { throw error }
                skipped += 1
                if warnings.count < 20 { warnings.append("skipped: \(error)") }
            }
            return true
        }

        // One buffer, read into directly; the incomplete last line moves to its front before the next read.
        var capacity = chunkSize * 2
        var storage = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { storage.deallocate() }
        var filled = 0
        while !ended {
            if capacity - filled < chunkSize {
                // A line longer than the buffer: grow it.
                let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                grown.update(from: storage, count: filled)
                storage.deallocate()
                storage = grown
                capacity *= 2
            }
            let wanted = min(capacity - filled, limit - (consumed + filled))
            let count = wanted <= 0 ? 0 : Foundation.read(descriptor, storage + filled, wanted)
            if count < 0 { throw ArtifactError.unreadable(path: path, reason: String(cString: strerror(errno))) }
            if count == 0 { ended = true } else { filled += count }
            let all = UnsafeBufferPointer(start: storage, count: filled)
            var lineStart = 0
            while lineStart < filled, let found = memchr(storage + lineStart, 0x0A, filled - lineStart) {
                let index = storage.distance(to: found.assumingMemoryBound(to: UInt8.self))
                line += 1
                linesRead += 1
                _ = try handle(
                    UnsafeBufferPointer(rebasing: all[lineStart..<index]), number: line,
                    lineStart: consumed + lineStart, final: false)
                lineStart = index + 1
            }
            if ended, lineStart < filled {
                let accepted = try handle(
                    UnsafeBufferPointer(rebasing: all[lineStart..<filled]), number: line + 1,
                    lineStart: consumed + lineStart, final: true)
                if accepted {
                    line += 1
                    linesRead += 1
                    lineStart = filled
                }
            }
            consumed += lineStart
            if format == .otlp {
                try readSettled(&otlpState, before: consumed - otlpWindow, file: path, event: event)
            }
            if lineStart > 0 {
                memmove(storage, storage + lineStart, filled - lineStart)
                filled -= lineStart
            }
            // What is left is the start of one line: refuse it before it outgrows the limit.
            if filled > maxLineBytes {
                throw TelemetryError.malformedEvent(
                    file: path, line: line + 1, field: "",
                    reason: "the line is longer than \(maxLineBytes) bytes (monitor --max-line-bytes)")
            }
        }
        var endOffset = consumed
        var endLine = line
        if format == .otlp {
            for (trace, spans, number) in otlpState.completeTraces()
            where try !readTrace(spans, file: path, line: number, event: event) {
                otlpState.waiting.insert(trace)
            }
            if otlpState.late > 0 {
                note(
                    "\(otlpState.late) spans came more than \(otlpWindow) bytes after their trace's opening span, "
                        + "once the trace was read, and were not counted")
            }
            // Spans of traces whose opening span has not arrived, or whose tasks wait for their evaluation, are
            // read again next time; their tasks are deduplicated by the task span's id.
            if let resume = otlpState.earliestPending {
                endOffset = resume.offset
                endLine = resume.line - 1
            }
        }
        let next =
            path == "-" ? nil : TelemetryCursor(source: path, identity: identity, offset: endOffset, line: endLine)
        return (
            next,
            SourceSummary(
                path: path, format: format.rawValue, fromOffset: fromOffset, toOffset: endOffset, lines: linesRead)
        )
    }
}

extension TelemetryReader {
    /// Reads the traces whose opening span came before `offset` and forgets their spans (a trace whose tasks
    /// wait for their evaluation stays, for the end of the file).
    mutating func readSettled(
        _ state: inout OTLPState, before offset: Int, file: String, event: (AgentEvent, Int) throws -> Void
    ) throws {
        guard offset > 0, let oldest = state.oldestOpening, oldest < offset else { return }
        var done = Set<String>()
        for trace in state.traceOrder {
            guard let opened = state.openedAt[trace], opened < offset, !state.waiting.contains(trace) else { continue }
            if try readTrace(
                state.spansByTrace[trace] ?? [], file: file, line: state.firstLine[trace]?.line ?? 0,
                settling: true, event: event)
            {
                done.insert(trace)
            } else {
                state.waiting.insert(trace)
            }
        }
        state.forget(done)
    }
}

/// Spans collected from an OTLP file, grouped by trace.
struct OTLPState {
    var spansByTrace: [String: [OTLPSpan]] = [:]
    var traceOrder: [String] = []
    var firstLine: [String: (offset: Int, line: Int)] = [:]
    /// Where each trace's first opening span was read (the offset of its line).
    var openedAt: [String: Int] = [:]
    /// The traces read and forgotten, by ``stableHash(_:)`` of their id.
    var read = HashSet64()
    /// Traces read and forgotten whose spans came again: another process's part of the trace (a shadow's, built
    /// when its own opening span comes), or spans later than the window (counted in ``late`` at the end).
    var reopened = Set<String>()

    /// The spans of reopened traces that no opening span came for: not counted.
    var late: Int {
        reopened.reduce(0) { total, trace in
            let spans = spansByTrace[trace] ?? []
            return spans.contains(where: \.opensTrace) ? total : total + spans.count
        }
    }

    /// The earliest offset at which a trace not yet read was opened.
    var oldestOpening: Int? { openedAt.values.min() }

    mutating func add(_ spans: [OTLPSpan], lineStart: Int, line: Int) {
        for span in spans {
            if spansByTrace[span.traceId] == nil {
                if read.count > 0, read.contains(stableHash(span.traceId)) { reopened.insert(span.traceId) }
                traceOrder.append(span.traceId)
                firstLine[span.traceId] = (lineStart, line)
            }
            spansByTrace[span.traceId, default: []].append(span)
            if span.opensTrace, openedAt[span.traceId] == nil { openedAt[span.traceId] = lineStart }
        }
    }

    /// Forgets the spans of `traces`, which were read.
    mutating func forget(_ traces: Set<String>) {
        guard !traces.isEmpty else { return }
        for trace in traces {
            spansByTrace[trace] = nil
            firstLine[trace] = nil
            openedAt[trace] = nil
            reopened.remove(trace)
            _ = read.insert(stableHash(trace))
        }
        traceOrder.removeAll { traces.contains($0) }
    }

    /// Complete traces whose tasks wait for their evaluation result.
    var waiting: Set<String> = []

    /// The traces whose opening span has arrived (``OTLPSpan/opensTrace``), each with its spans and first line.
    func completeTraces() -> [(trace: String, spans: [OTLPSpan], line: Int)] {
        traceOrder.compactMap { trace in
            let spans = spansByTrace[trace] ?? []
            guard spans.contains(where: \.opensTrace) else { return nil }
            return (trace, spans, firstLine[trace]?.line ?? 0)
        }
    }

    /// The earliest line holding spans of a trace whose opening span has not arrived yet, or whose tasks wait
    /// for their evaluation.
    var earliestPending: (offset: Int, line: Int)? {
        // Spans later than the window, of a trace read already, are not read again.
        traceOrder.filter { trace in
            waiting.contains(trace)
                || (!reopened.contains(trace) && !(spansByTrace[trace] ?? []).contains(where: \.opensTrace))
        }
        .compactMap { firstLine[$0] }.min { $0.offset < $1.offset }
    }
}

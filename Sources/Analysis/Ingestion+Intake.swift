import Artifacts
import Foundation
import JSONLines
import RunLedger
import Telemetry
import Vocabulary

extension Ingestion {
    /// Reads what `monitor serve` stored for `agent` since the run's previous look (after `cursor`, a record
    /// id), whose own time is at least `since` (the run's creation): the same events and tasks the files would
    /// give, read by the same parsers, so a look costs the new records only.
    ///
    /// A trace's tasks are built when its opening span arrives, from every span of the trace stored so far (the
    /// earlier ones are looked up by trace id). A span arriving after that, read by an earlier look, is still
    /// attributed to its task when it is an unauthorized tool call: it becomes a violation of the task. A record
    /// that cannot be read is counted as skipped, with its error among the warnings, and the look goes on.
    package mutating func ingestIntake(ledger: Ledger, agent: String, since: Double, cursor: TelemetryCursor?) throws {
        var this = self
        defer { self = this }
        // What the server stored passed its admission check; a record a look still cannot use (stored by an
        // older server, or a trace whose parts came in several requests) is reported and passed whatever the
        // policy's `malformed`, never a wall that stops every later look of the run.
        let skip = true
        let source = "intake:\(agent)"
        let start = Int64(cursor?.offset ?? 0)
        let native = NativeEventParser(file: source)
        let otlp = OTLPTraceParser(file: source)
        var state = OTLPState()
        var resume: Int?
        var newSpans = Set<String>()
        var records = 0
        // A failure inside the ledger's read (an unknown version, say) is kept as it is, not as a ledger error.
        var failure: (any Error)?
        let last = try ledger.forEachIntakeRecord(agent: agent, after: start, since: since) { stored in
            records += 1
            let line = Int(stored.id)
            do {
                if let problem = try Self.malformed(
                    skip: skip,
                    {
                        var body = stored.record.body
                        try body.withUTF8 { bytes in
                            switch stored.record.kind {
                            case .event:
                                try this.slow(try native.event(bytes, line: line), line: line, file: source)
                            case .span:
                                let spans = try otlp.spans(bytes, line: line)
                                for span in spans { newSpans.insert(span.spanId) }
                                state.add(spans, lineStart: line, line: line)
                            }
                        }
                    })
                {
                    this.reader.noteSkipped(problem)
                }
            } catch {
                failure = error
                return false
            }
            return true
        }
        if let failure { throw failure }
        // The spans earlier looks read of the traces new spans belong to.
        var earlier = OTLPState()
        for stored in try ledger.intakeSpans(ofTraces: state.traceOrder, upTo: start) {
            let line = Int(stored.id)
            if let problem = try Self.malformed(
                skip: skip,
                {
                    var body = stored.record.body
                    let spans = try body.withUTF8 { try otlp.spans($0, line: line) }
                    earlier.add(spans, lineStart: line, line: line)
                })
            {
                this.reader.noteSkipped(problem)
            }
        }
        let builder = OTLPTaskBuilder(options: this.reader.otlp)
        for trace in state.traceOrder {
            let new = state.spansByTrace[trace] ?? []
            let old = earlier.spansByTrace[trace] ?? []
            let line = state.firstLine[trace]?.line ?? 0
            if new.contains(where: \.opensTrace) {
                if let problem = try Self.malformed(
                    skip: skip,
                    {
                        var reader = this.reader
                        defer { this.reader = reader }
                        let read = try reader.readTrace(old + new, file: source, line: line) { event, line in
                            try this.slow(event, line: line, file: source)
                        }
                        // A trace whose tasks wait for their evaluation is read again, from its first record here.
                        if !read { resume = min(resume ?? line, line) }
                    })
                {
                    this.reader.noteSkipped(problem)
                }
            } else if old.contains(where: \.opensTrace) {
                // Spans after the trace was judged: an unauthorized tool call is a violation of its task.
                for span in new where newSpans.contains(span.spanId) {
                    guard let action = builder.unauthorizedTool(span),
                        let task = builder.task(containing: span, in: old + new)
                    else { continue }
                    let violation = ViolationEvent(
                        timestamp: span.endNanos / 1e9, eventId: "span:\(span.spanId)", version: task.version,
                        taskId: task.taskId, conversationId: task.conversationId, action: action, severity: .high,
                        policy: "unauthorized tool call after the task's root")
                    try this.slow(.violation(violation), line: line, file: source)
                }
            }
            // Neither: the trace's opening span has not arrived; a later look finds these spans by trace id.
        }
        let end = resume.map { min(Int(last), $0 - 1) } ?? Int(last)
        this.sources.append(
            SourceSummary(path: source, format: "intake", fromOffset: Int(start), toOffset: end, lines: records))
        this.cursors.append(TelemetryCursor(source: Ledger.intakeSource, identity: source, offset: end, line: 0))
    }

    /// Runs `body`; returns the error of a malformed record when the policy skips those (`malformed: skip`).
    static func malformed(skip: Bool, _ body: () throws -> Void) throws -> TelemetryError? {
        do {
            try body()
            return nil
        } catch let error as TelemetryError {
            guard skip else { throw error }
            return error
        }
    }
}

import Artifacts
import Foundation
import JSONLines
import RunLedger
import Telemetry
import Vocabulary

extension Ingestion {
    /// Reads what `monitor serve` stored for `agent` since the run's previous look (after `cursor`, a record
    /// id), whose own time is at least `since` (the run's creation): native events as they were received, and
    /// the events of complete traces as the server built them when the trace's last part arrived. Both are
    /// native event lines, read as a native file's lines are: a look costs the new events only, however many
    /// spans each task had.
    ///
    /// An event built under other `monitor.otlp` or `monitor.prices` settings than this look's policy (the
    /// server was started with another policy) is read as it was built, and the look says how many there were.
    /// A record that cannot be read is counted as skipped, with its error among the warnings, and the look goes
    /// on.
    package mutating func ingestIntake(ledger: Ledger, agent: String, since: Double, cursor: TelemetryCursor?) throws {
        var this = self
        defer { self = this }
        // What the server stored passed its admission check; a record a look still cannot use (stored by an
        // older server) is reported and passed whatever the policy's `malformed`, never a wall that stops every
        // later look of the run.
        let skip = true
        let source = "intake:\(agent)"
        let start = Int64(cursor?.offset ?? 0)
        let native = NativeEventParser(file: source)
        let fingerprint = this.reader.otlp.fingerprint
        var records = 0
        var otherSettings = 0
        var last = start
        // In pages, each read whole before its events are counted: counting may spill rows into the ledger's
        // temporary tables, which the connection cannot do while it reads.
        while true {
            var page: [StoredIntakeRecord] = []
            last = try ledger.forEachIntakeRecord(agent: agent, after: last, since: since) { stored in
                page.append(stored)
                return page.count < Self.intakePage
            }
            for stored in page {
                records += 1
                let line = Int(stored.id)
                if let built = stored.builtWith, built != fingerprint { otherSettings += 1 }
                if let problem = try Self.malformed(
                    skip: skip,
                    {
                        var body = stored.record.body
                        var event = try body.withUTF8 { try native.event($0, line: line) }
                        // The line says the time to the microsecond; the row holds it exactly.
                        if stored.builtWith != nil { event.timestamp = stored.record.timestamp }
                        try this.slow(event, line: line, file: source)
                    })
                {
                    this.reader.noteSkipped(problem)
                }
            }
            if page.count < Self.intakePage { break }
        }
        if otherSettings > 0 {
            this.reader.note(
                "\(otherSettings) intake events were built by monitor serve under other monitor.otlp or monitor.prices "
                    + "settings than this policy's: start monitor serve with the run's policy")
        }
        this.sources.append(
            SourceSummary(path: source, format: "intake", fromOffset: Int(start), toOffset: Int(last), lines: records))
        this.cursors.append(TelemetryCursor(source: Ledger.intakeSource, identity: source, offset: Int(last), line: 0))
    }

    /// The intake records read at once (about 10 MB of lines).
    static let intakePage = 10_000

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

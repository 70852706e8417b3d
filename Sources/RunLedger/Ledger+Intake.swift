import Foundation

/// One record `monitor serve` received: a native event, or one OTLP span, as a file would hold it.
package struct IntakeRecord: Sendable, Equatable {
    /// What the record is.
    package enum Kind: String, Sendable {
        case event
        case span
    }

    /// What makes a retried record count once: `event:<agent>:<event id>` or `span:<trace id>:<span id>`.
    package var key: String
    package var kind: Kind
    /// The agent the record belongs to (a look reads its run's agent only).
    package var agent: String
    /// The span's trace (`nil` for an event).
    package var traceId: String?
    /// Whether the span is a task's root (an `invoke_agent` span without a parent).
    package var isRoot: Bool
    /// The record's own time (an event's `ts`, a span's end), Unix seconds.
    package var timestamp: Double
    /// A native event line, or one span as an OTLP/JSON `TracesData` line.
    package var body: String

    /// Makes a record.
    package init(
        key: String, kind: Kind, agent: String, traceId: String?, isRoot: Bool, timestamp: Double, body: String
    ) {
        self.key = key
        self.kind = kind
        self.agent = agent
        self.traceId = traceId
        self.isRoot = isRoot
        self.timestamp = timestamp
        self.body = body
    }
}

/// An ``IntakeRecord`` as the ledger holds it, with its place in the order of arrival.
package struct StoredIntakeRecord: Sendable, Equatable {
    /// The order of arrival (a look's cursor reads after it).
    package var id: Int64
    package var record: IntakeRecord
}

extension StoredIntakeRecord {
    /// The columns of `intake_records` a stored record reads.
    enum Column: Int, LedgerColumns {
        case id, recordKey, kind, agent, traceId, isRoot, ts, body
    }

    init(row: SQLRow) throws {
        let kind: String = try row[Column.kind]
        self.init(
            id: try row[Column.id],
            record: IntakeRecord(
                key: try row[Column.recordKey], kind: IntakeRecord.Kind(rawValue: kind) ?? .event,
                agent: try row[Column.agent], traceId: try row[Column.traceId], isRoot: try row[Column.isRoot],
                timestamp: try row[Column.ts], body: try row[Column.body]))
    }
}

extension Ledger {
    /// Commits `records` in one transaction, received at `receivedAt` (Unix seconds); a record whose key is
    /// stored already (a retried request), or comes earlier in `records`, is kept as it was. Returns, for each
    /// record, whether it was new. When this returns, the records survive a crash of the process.
    package func storeIntake(_ records: [IntakeRecord], receivedAt: Double) throws(LedgerError) -> [Bool] {
        guard !records.isEmpty else { return [] }
        let columns = ["record_key", "kind", "agent", "trace_id", "is_root", "ts", "received_at", "body"]
        return try write { session in
            // A key twice in `records` (two requests of one group commit) is inserted once, the first time.
            var seen = Set<String>()
            var rows: [[SQLValue]] = []
            var places: [Int?] = []
            rows.reserveCapacity(records.count)
            for record in records {
                guard seen.insert(record.key).inserted else {
                    places.append(nil)
                    continue
                }
                places.append(rows.count)
                rows.append([
                    .text(record.key), .text(record.kind.rawValue), .text(record.agent),
                    record.traceId.map(SQLValue.text) ?? .null, .integer(record.isRoot ? 1 : 0),
                    .real(record.timestamp), .real(receivedAt), .text(record.body),
                ])
            }
            let inserted = try session.insertNewRows(into: "intake_records", columns: columns, rows: rows, key: 0)
            return places.map { $0.map { inserted[$0] } ?? false }
        }
    }

    /// Calls `body` with every record of `agent` after `cursor` (an id) whose own time is at least `since`, in
    /// the order they arrived, from a cursor (memory does not grow with the intake); `body` returns `false` to
    /// stop. Returns the last id read (`cursor` when there was none).
    package func forEachIntakeRecord(
        agent: String, after cursor: Int64, since: Double, _ body: (StoredIntakeRecord) throws -> Bool
    ) throws(LedgerError) -> Int64 {
        try read { session in
            var last = cursor
            try session.forEachRow(
                "SELECT \(StoredIntakeRecord.Column.selectList()) FROM intake_records "
                    + "WHERE agent = ? AND id > ? AND ts >= ? ORDER BY id",
                values: [.text(agent), .integer(cursor), .real(since)]
            ) { row in
                let record = try StoredIntakeRecord(row: row)
                last = record.id
                return try body(record)
            }
            return last
        }
    }

    /// The spans of `traces` that arrived at or before `cursor` (an id), in the order they arrived: what an
    /// earlier look read of the traces new spans belong to.
    package func intakeSpans(ofTraces traces: [String], upTo cursor: Int64) throws(LedgerError)
        -> [StoredIntakeRecord]
    {
        guard !traces.isEmpty else { return [] }
        return try read { session in
            var found: [StoredIntakeRecord] = []
            // In slices, so a statement's placeholders stay within both stores' limits.
            for start in stride(from: 0, to: traces.count, by: 500) {
                let slice = traces[start..<min(traces.count, start + 500)]
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ", ")
                try session.forEachRow(
                    "SELECT \(StoredIntakeRecord.Column.selectList()) FROM intake_records "
                        + "WHERE trace_id IN (\(marks)) AND id <= ? AND kind = 'span'",
                    values: slice.map(SQLValue.text) + [.integer(cursor)]
                ) { row in
                    found.append(try StoredIntakeRecord(row: row))
                    return true
                }
            }
            return found.sorted { $0.id < $1.id }
        }
    }

    /// Deletes the records received before `cutoff` (Unix seconds) that nothing still needs, and returns how many.
    ///
    /// - Of an agent with a run in its canary: the native events at or before the lowest intake cursor of its
    ///   canary runs (none while one of them has not looked yet). Its spans stay until the run ends: a trace's
    ///   opening span may still be on its way (its other spans wait for it), and a tool call arriving after the
    ///   trace was judged is attributed to its task from the trace's stored spans, however late it comes.
    /// - Of any other agent: its events, and its traces as a whole — the spans of a trace go once every span of
    ///   it was received before `cutoff`, so a trace is never cut in two.
    ///
    /// What looks stored for their runs (tasks, feedback, violations, shadow proposals) stays: `rejudge` and the
    /// exports read those. The ids of what is deleted are never given again (the counter is the table's, and
    /// `ledger copy` carries it), so every cursor stays valid.
    package func pruneIntake(receivedBefore cutoff: Double) throws(LedgerError) -> Int {
        try write { session in
            var floors: [String: Int64] = [:]
            for row in try session.rows(
                """
                SELECT r.agent, s."offset" FROM runs r
                LEFT JOIN telemetry_sources s ON s.run_id = r.id AND s.source = '\(Self.intakeSource)'
                WHERE r.status = 'canary'
                """)
            {
                let agent: String = try row.value(at: 0, named: "agent")
                let offset: Int64? = try row.value(at: 1, named: "offset")
                floors[agent] = min(floors[agent] ?? Int64.max, offset ?? 0)
            }
            let before: Int = try session.scalar("SELECT count(*) FROM intake_records") ?? 0
            try session.execute(
                """
                DELETE FROM intake_records WHERE received_at < ?
                AND agent NOT IN (SELECT agent FROM runs WHERE status = 'canary')
                AND (kind = 'event' OR trace_id NOT IN (
                    SELECT trace_id FROM intake_records WHERE kind = 'span' AND received_at >= ?))
                """,
                arguments: [cutoff, cutoff])
            for (agent, floor) in floors.sorted(by: { $0.key < $1.key }) where floor > 0 {
                try session.execute(
                    "DELETE FROM intake_records WHERE received_at < ? AND agent = ? AND id <= ? AND kind = 'event'",
                    arguments: [cutoff, agent, floor])
            }
            let after: Int = try session.scalar("SELECT count(*) FROM intake_records") ?? 0
            return before - after
        }
    }

    /// The `telemetry_sources` source of a run's intake cursor.
    package static let intakeSource = "intake"
}

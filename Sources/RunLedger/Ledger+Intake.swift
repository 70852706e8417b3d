import Foundation

/// One event `monitor serve` committed for the looks: a native event it received, or an event of a complete
/// trace it built (a task, a violation, feedback, a shadow proposal), as a native event line.
package struct IntakeRecord: Sendable, Equatable {
    /// What makes a retried record count once: `event:<agent>:<event id>` for a received event,
    /// `trace:<trace id>:<event id>` for one built from a trace.
    package var key: String
    /// The agent the record belongs to (a look reads its run's agent only).
    package var agent: String
    /// The trace the event was built from (`nil` for a received event).
    package var traceId: String?
    /// The event's own time, Unix seconds, exactly (the line says it to the microsecond).
    package var timestamp: Double
    /// The native event line.
    package var body: String

    /// Makes a record.
    package init(key: String, agent: String, traceId: String?, timestamp: Double, body: String) {
        self.key = key
        self.agent = agent
        self.traceId = traceId
        self.timestamp = timestamp
        self.body = body
    }
}

/// An ``IntakeRecord`` as the ledger holds it, with its place in the order of arrival.
package struct StoredIntakeRecord: Sendable, Equatable {
    /// The order of arrival (a look's cursor reads after it).
    package var id: Int64
    package var record: IntakeRecord
    /// The fingerprint of the settings that built the event from its trace (`nil` for a received event).
    package var builtWith: String?
}

extension StoredIntakeRecord {
    /// The columns of `intake_records` a stored record reads.
    enum Column: Int, LedgerColumns {
        case id, recordKey, agent, traceId, ts, body, builtWith
    }

    init(row: SQLRow) throws {
        self.init(
            id: try row[Column.id],
            record: IntakeRecord(
                key: try row[Column.recordKey], agent: try row[Column.agent], traceId: try row[Column.traceId],
                timestamp: try row[Column.ts], body: try row[Column.body]),
            builtWith: try row[Column.builtWith])
    }
}

/// A span of a trace that is not complete yet (its opening span has not arrived, or its tasks wait for their
/// evaluation), kept as one OTLP/JSON line until the trace is built.
package struct PendingSpan: Sendable, Equatable {
    /// `span:<trace id>:<span id>`, or `log:<trace id>:<span id>` for an evaluation result sent as a log record.
    package var key: String
    package var agent: String
    package var traceId: String
    /// Whether the span opens its trace.
    package var isRoot: Bool
    /// The span's end, Unix seconds.
    package var timestamp: Double
    /// The OTLP/JSON `TracesData` (or `LogsData`) line of the span.
    package var body: String

    /// Makes a pending span.
    package init(key: String, agent: String, traceId: String, isRoot: Bool, timestamp: Double, body: String) {
        self.key = key
        self.agent = agent
        self.traceId = traceId
        self.isRoot = isRoot
        self.timestamp = timestamp
        self.body = body
    }
}

extension PendingSpan {
    enum Column: Int, LedgerColumns {
        case recordKey, agent, traceId, isRoot, ts, body
    }

    init(row: SQLRow) throws {
        self.init(
            key: try row[Column.recordKey], agent: try row[Column.agent], traceId: try row[Column.traceId],
            isRoot: try row[Column.isRoot], timestamp: try row[Column.ts], body: try row[Column.body])
    }
}

/// A complete trace as the ledger remembers it once its events are built: which spans it had and the task each
/// belongs to (``summary``, written and read by the intake), never its spans.
package struct CompletedTrace: Sendable, Equatable {
    package var traceId: String
    /// The opening spans the part was built from (a trace has one part per process that ran part of it).
    package var part: String
    package var agent: String
    package var summary: String

    /// Makes a completed trace.
    package init(traceId: String, part: String, agent: String, summary: String) {
        self.traceId = traceId
        self.part = part
        self.agent = agent
        self.summary = summary
    }
}

/// The statements of one intake commit, inside the ledger's write transaction: a commit reads the pending spans
/// and completed traces of its traces, then stores events, pending spans and traces, all or nothing.
package struct IntakeTransaction {
    let session: any LedgerSession
    let receivedAt: Double

    /// The pending spans of `traces`, in the order they arrived.
    package func pendingSpans(ofTraces traces: [String]) throws -> [PendingSpan] {
        var found: [PendingSpan] = []
        try Self.inSlices(traces) { marks, values in
            try session.forEachRow(
                "SELECT \(PendingSpan.Column.selectList()) FROM intake_pending WHERE trace_id IN (\(marks)) ORDER BY id",
                values: values
            ) { row in
                found.append(try PendingSpan(row: row))
                return true
            }
        }
        return found
    }

    /// The built parts of `traces`.
    package func completedTraces(_ traces: [String]) throws -> [CompletedTrace] {
        var found: [CompletedTrace] = []
        try Self.inSlices(traces) { marks, values in
            try session.forEachRow(
                "SELECT trace_id, part, agent, summary FROM intake_traces WHERE trace_id IN (\(marks))",
                values: values
            ) { row in
                found.append(
                    CompletedTrace(
                        traceId: try row.value(at: 0, named: "trace_id"), part: try row.value(at: 1, named: "part"),
                        agent: try row.value(at: 2, named: "agent"), summary: try row.value(at: 3, named: "summary")))
                return true
            }
        }
        return found
    }

    /// Stores `events` built with the settings `builtWith` (`nil` for received events); returns, for each,
    /// whether it was new (a key stored already, or earlier in `events`, is kept as it was).
    package func storeEvents(_ events: [IntakeRecord], builtWith: String?) throws -> [Bool] {
        let columns = ["record_key", "kind", "agent", "trace_id", "is_root", "ts", "received_at", "body", "built_with"]
        return try Self.insertOnce(events, key: \.key) { record in
            [
                .text(record.key), .text("event"), .text(record.agent), record.traceId.map(SQLValue.text) ?? .null,
                .integer(0), .real(record.timestamp), .real(receivedAt), .text(record.body),
                builtWith.map(SQLValue.text) ?? .null,
            ]
        } insert: { rows in
            try session.insertNewRows(into: "intake_records", columns: columns, rows: rows, key: 0)
        }
    }

    /// Stores spans of traces not complete yet; returns, for each, whether it was new.
    package func storePending(_ spans: [PendingSpan]) throws -> [Bool] {
        let columns = ["record_key", "agent", "trace_id", "is_root", "ts", "received_at", "body"]
        return try Self.insertOnce(spans, key: \.key) { span in
            [
                .text(span.key), .text(span.agent), .text(span.traceId), .integer(span.isRoot ? 1 : 0),
                .real(span.timestamp), .real(receivedAt), .text(span.body),
            ]
        } insert: { rows in
            try session.insertNewRows(into: "intake_pending", columns: columns, rows: rows, key: 0)
        }
    }

    /// Marks `trace` as waiting for its tasks' evaluations until `until` (Unix seconds).
    package func wait(trace: String, until: Double) throws {
        try session.execute(
            "UPDATE intake_pending SET wait_until = ? WHERE trace_id = ? AND is_root = 1", arguments: [until, trace])
    }

    /// Records built parts of traces.
    package func complete(_ traces: [CompletedTrace]) throws {
        try session.insertRows(
            into: "intake_traces", columns: ["trace_id", "part", "agent", "received_at", "summary"],
            rows: traces.map {
                [.text($0.traceId), .text($0.part), .text($0.agent), .real(receivedAt), .text($0.summary)]
            },
            ignoringConflicts: true)
    }

    /// Forgets pending spans (by their keys): their trace was built.
    package func removePending(_ keys: [String]) throws {
        try Self.inSlices(keys) { marks, values in
            try session.execute("DELETE FROM intake_pending WHERE record_key IN (\(marks))", values: values)
        }
    }

    /// The pending traces whose opening span has arrived and whose wait has ended at `now` (or that never
    /// waited: spans an earlier server stored), at most `limit`, oldest first.
    package func readyTraces(now: Double, limit: Int) throws -> [String] {
        try session.rows(
            "SELECT trace_id FROM intake_pending WHERE is_root = 1 AND (wait_until IS NULL OR wait_until <= ?) "
                + "ORDER BY id LIMIT \(limit)", arguments: [now]
        ).map { try $0.value(at: 0, named: "trace_id") }
    }

    /// Inserts `items` once each (a key repeated within `items` is inserted the first time) and returns, for
    /// each, whether it was new.
    static func insertOnce<Item>(
        _ items: [Item], key: KeyPath<Item, String>, row: (Item) -> [SQLValue],
        insert: ([[SQLValue]]) throws -> [Bool]
    ) throws -> [Bool] {
        guard !items.isEmpty else { return [] }
        var seen = Set<String>()
        var rows: [[SQLValue]] = []
        var places: [Int?] = []
        rows.reserveCapacity(items.count)
        for item in items {
            guard seen.insert(item[keyPath: key]).inserted else {
                places.append(nil)
                continue
            }
            places.append(rows.count)
            rows.append(row(item))
        }
        let inserted = try insert(rows)
        return places.map { $0.map { inserted[$0] } ?? false }
    }

    /// Calls `body` with the placeholders and values of `values` in slices, so a statement's placeholders stay
    /// within both stores' limits.
    static func inSlices(_ values: [String], _ body: (String, [SQLValue]) throws -> Void) throws {
        for start in stride(from: 0, to: values.count, by: 500) {
            let slice = values[start..<min(values.count, start + 500)]
            try body(Array(repeating: "?", count: slice.count).joined(separator: ", "), slice.map(SQLValue.text))
        }
    }
}

extension Ledger {
    /// Runs `body` in one write transaction of the intake, received at `receivedAt` (Unix seconds): when this
    /// returns, what `body` stored survives a crash of the process; when `body` throws, nothing of it is stored.
    package func intakeCommit<T>(receivedAt: Double, _ body: (IntakeTransaction) throws -> T) throws(LedgerError)
        -> T
    {
        try write { session in try body(IntakeTransaction(session: session, receivedAt: receivedAt)) }
    }

    /// Whether a pending trace is ready to be built at `now` (``IntakeTransaction/readyTraces(now:limit:)``).
    package func hasReadyIntakeTraces(now: Double) throws(LedgerError) -> Bool {
        try read { session in
            try session.row(
                "SELECT 1 FROM intake_pending WHERE is_root = 1 AND (wait_until IS NULL OR wait_until <= ?) LIMIT 1",
                arguments: [now]) != nil
        }
    }

    /// Calls `body` with every event of `agent` after `cursor` (an id) whose own time is at least `since`, in
    /// the order they arrived, from a cursor (memory does not grow with the intake); `body` returns `false` to
    /// stop. Returns the last id read (`cursor` when there was none).
    package func forEachIntakeRecord(
        agent: String, after cursor: Int64, since: Double, _ body: (StoredIntakeRecord) throws -> Bool
    ) throws(LedgerError) -> Int64 {
        try read { session in
            var last = cursor
            try session.forEachRow(
                "SELECT \(StoredIntakeRecord.Column.selectList()) FROM intake_records "
                    + "WHERE agent = ? AND id > ? AND ts >= ? AND kind = 'event' ORDER BY id",
                values: [.text(agent), .integer(cursor), .real(since)]
            ) { row in
                let record = try StoredIntakeRecord(row: row)
                last = record.id
                return try body(record)
            }
            return last
        }
    }

    /// The intake's size: its events, pending spans and completed traces, and the bytes their rows hold
    /// (the text of each column, not the store's pages).
    package func intakeSize() throws(LedgerError) -> (events: Int, pending: Int, traces: Int, bytes: Int) {
        try read { session in
            func count(_ sql: String) throws -> Int { try session.scalar(sql) ?? 0 }
            return (
                try count("SELECT count(*) FROM intake_records"), try count("SELECT count(*) FROM intake_pending"),
                try count("SELECT count(*) FROM intake_traces"),
                try count(
                    "SELECT coalesce(sum(length(record_key) + length(agent) + length(body) "
                        + "+ coalesce(length(trace_id), 0) + coalesce(length(built_with), 0) + 28), 0) "
                        + "FROM intake_records")
                    + count(
                        "SELECT coalesce(sum(length(record_key) + length(agent) + length(trace_id) + length(body) "
                            + "+ 36), 0) FROM intake_pending")
                    + count(
                        "SELECT coalesce(sum(length(trace_id) + length(part) + length(agent) + length(summary) + 8), 0) "
                            + "FROM intake_traces")
            )
        }
    }

    /// Deletes what the intake received before `cutoff` (Unix seconds) that nothing still needs, and returns how
    /// many rows went.
    ///
    /// - Of an agent with a run in its canary: the events at or before the lowest intake cursor of its canary
    ///   runs (none while one of them has not looked yet). Its pending spans and completed traces stay until the
    ///   run ends: a trace's opening span may still be on its way, and a tool call arriving after its trace was
    ///   built is attributed to its task from the trace's summary, however late it comes.
    /// - Of any other agent: its events and completed traces, and its pending traces as a whole — the spans of a
    ///   trace go once every span of it was received before `cutoff`, so a trace is never cut in two.
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
            func total() throws -> Int {
                try ["intake_records", "intake_pending", "intake_traces"].reduce(0) {
                    $0 + (try session.scalar("SELECT count(*) FROM \($1)") ?? 0)
                }
            }
            let before = try total()
            let idle = "agent NOT IN (SELECT agent FROM runs WHERE status = 'canary')"
            try session.execute("DELETE FROM intake_records WHERE received_at < ? AND \(idle)", arguments: [cutoff])
            try session.execute("DELETE FROM intake_traces WHERE received_at < ? AND \(idle)", arguments: [cutoff])
            try session.execute(
                """
                DELETE FROM intake_pending WHERE received_at < ? AND \(idle)
                AND trace_id NOT IN (SELECT trace_id FROM intake_pending WHERE received_at >= ?)
                """,
                arguments: [cutoff, cutoff])
            for (agent, floor) in floors.sorted(by: { $0.key < $1.key }) where floor > 0 {
                try session.execute(
                    "DELETE FROM intake_records WHERE received_at < ? AND agent = ? AND id <= ?",
                    arguments: [cutoff, agent, floor])
            }
            return before - (try total())
        }
    }

    /// The `telemetry_sources` source of a run's intake cursor.
    package static let intakeSource = "intake"
}

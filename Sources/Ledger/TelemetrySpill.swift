import GRDB

/// Where a look's new telemetry rows wait, in batches, until the look is recorded: temporary tables of the
/// ledger's own connection (SQLite's temporary database, on disk, behind a page cache of a few megabytes).
///
/// A look of a run reads files of any size, and its rows become part of the ledger only with the look, in one
/// transaction. Held in memory they grew with the file (1.4 GB for 1,000,000 events); here memory stays
/// bounded, writing them takes no lock on the ledger (the temporary database is this connection's alone), and
/// ``Ledger/recordLook(_:artifacts:)`` copies them in with one `INSERT … SELECT` per table.
package struct TelemetrySpill: Sendable {
    let ledger: Ledger

    /// Empty temporary tables on `ledger`'s connection.
    package init(ledger: Ledger) throws(LedgerError) {
        self.ledger = ledger
        try ledger.writeTemporary { db in
            try db.execute(
                sql: """
                    DROP TABLE IF EXISTS temp.spill_tasks;
                    DROP TABLE IF EXISTS temp.spill_feedback;
                    DROP TABLE IF EXISTS temp.spill_violations;
                    DROP TABLE IF EXISTS temp.spill_shadow;
                    CREATE TEMP TABLE spill_tasks (
                        event_key TEXT NOT NULL, arm TEXT NOT NULL, version TEXT NOT NULL, step_index INTEGER,
                        conversation_id TEXT NOT NULL, task_id TEXT NOT NULL, request_id TEXT, trace_id TEXT,
                        span_id TEXT, ts REAL NOT NULL, outcome TEXT NOT NULL, cost_usd REAL, cost_source TEXT,
                        latency_ms REAL, input_tokens REAL, output_tokens REAL, steps REAL, tool_calls TEXT NOT NULL,
                        unauthorized INTEGER NOT NULL, category TEXT, judge_score REAL, sample_key REAL NOT NULL,
                        sampled INTEGER NOT NULL, input TEXT, output TEXT,
                        candidate INTEGER NOT NULL);
                    CREATE TEMP TABLE spill_feedback (
                        event_key TEXT NOT NULL, arm TEXT NOT NULL, version TEXT NOT NULL, task_id TEXT,
                        conversation_id TEXT, ts REAL NOT NULL, rating INTEGER, thumbs_up INTEGER, comment TEXT);
                    CREATE TEMP TABLE spill_violations (
                        event_key TEXT NOT NULL, arm TEXT NOT NULL, version TEXT NOT NULL, task_id TEXT NOT NULL,
                        conversation_id TEXT, ts REAL NOT NULL, action TEXT NOT NULL, severity TEXT NOT NULL,
                        policy TEXT);
                    CREATE TEMP TABLE spill_shadow (
                        event_key TEXT NOT NULL, version TEXT NOT NULL, request_id TEXT NOT NULL,
                        conversation_id TEXT, ts REAL NOT NULL, proposed_tool_calls TEXT NOT NULL, output TEXT,
                        agrees INTEGER);
                    """)
        }
    }

    /// Adds a batch of rows. A success without unauthorized calls is a candidate for the sample of successes
    /// whose content is kept (see ``excludeCandidates(taskIds:)``).
    package func append(
        tasks: [TelemetryTaskRow], feedback: [TelemetryFeedbackRow], violations: [TelemetryViolationRow],
        shadow: [TelemetryShadowRow]
    ) throws(LedgerError) {
        try ledger.writeTemporary { db in
            let task = try db.cachedStatement(
                sql: "INSERT INTO temp.spill_tasks VALUES (" + Array(repeating: "?", count: 26).joined(separator: ",")
                    + ")")
            for row in tasks {
                let values: [(any DatabaseValueConvertible)?] = [
                    row.eventKey, row.arm, row.version, row.stepIndex, row.conversationId, row.taskId, row.requestId,
                    row.traceId, row.spanId, row.timestamp, row.outcome, row.costUSD, row.costSource, row.latencyMs,
                    row.inputTokens, row.outputTokens, row.steps, row.toolCalls, row.unauthorized, row.category,
                    row.judgeScore, row.sampleKey, row.sampled, row.input, row.output,
                    row.outcome == "success" && row.unauthorized == 0,
                ]
                try task.execute(arguments: StatementArguments(values))
            }
            let feedbackStatement = try db.cachedStatement(
                sql: "INSERT INTO temp.spill_feedback VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for row in feedback {
                try feedbackStatement.execute(arguments: [
                    row.eventKey, row.arm, row.version, row.taskId, row.conversationId, row.timestamp, row.rating,
                    row.thumbsUp, row.comment,
                ])
            }
            let violation = try db.cachedStatement(
                sql: "INSERT INTO temp.spill_violations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for row in violations {
                try violation.execute(arguments: [
                    row.eventKey, row.arm, row.version, row.taskId, row.conversationId, row.timestamp, row.action,
                    row.severity, row.policy,
                ])
            }
            let shadowStatement = try db.cachedStatement(
                sql: "INSERT INTO temp.spill_shadow VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            for row in shadow {
                try shadowStatement.execute(arguments: [
                    row.eventKey, row.version, row.requestId, row.conversationId, row.timestamp, row.proposedToolCalls,
                    row.output, row.agrees,
                ])
            }
        }
    }

    /// Tasks of these ids (a violation names them) are no candidates: their content is kept, unsampled.
    package func excludeCandidates(taskIds: Set<String>) throws(LedgerError) {
        guard !taskIds.isEmpty else { return }
        try ledger.writeTemporary { db in
            let statement = try db.cachedStatement(
                sql: "UPDATE temp.spill_tasks SET candidate = 0 WHERE candidate = 1 AND task_id = ?")
            for id in taskIds.sorted() { try statement.execute(arguments: [id]) }
        }
    }

    /// Calls `body` with every candidate's row id, arm, sample key and event key, in the order they came.
    package func forEachCandidate(_ body: (Int64, String, Double, String) throws -> Void) throws(LedgerError) {
        try ledger.readTemporary { db in
            let rows = try Row.fetchCursor(
                db,
                sql:
                    "SELECT rowid, arm, sample_key, event_key FROM temp.spill_tasks WHERE candidate = 1 ORDER BY rowid"
            )
            while let row = try rows.next() { try body(row[0], row[1], row[2], row[3]) }
        }
    }

    /// Marks the candidates `kept` as sampled and drops the content of every other candidate.
    package func keepSample(_ kept: [Int64]) throws(LedgerError) {
        try ledger.writeTemporary { db in
            let statement = try db.cachedStatement(sql: "UPDATE temp.spill_tasks SET sampled = 1 WHERE rowid = ?")
            for rowid in kept { try statement.execute(arguments: [rowid]) }
            try db.execute(
                sql: "UPDATE temp.spill_tasks SET input = NULL, output = NULL WHERE candidate = 1 AND sampled = 0")
        }
    }

    /// Calls `body` with every shadow row's row id, request id and proposed tool calls (as stored).
    package func forEachShadow(_ body: (Int64, String, String) throws -> Void) throws(LedgerError) {
        try ledger.readTemporary { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT rowid, request_id, proposed_tool_calls FROM temp.spill_shadow ORDER BY rowid")
            while let row = try rows.next() { try body(row[0], row[1], row[2]) }
        }
    }

    /// Sets whether shadow rows agree with the stable version's tool calls for the same request.
    package func setAgreements(_ agreements: [(rowid: Int64, agrees: Bool)]) throws(LedgerError) {
        try ledger.writeTemporary { db in
            let statement = try db.cachedStatement(sql: "UPDATE temp.spill_shadow SET agrees = ? WHERE rowid = ?")
            for item in agreements { try statement.execute(arguments: [item.agrees, item.rowid]) }
        }
    }

    /// Copies every row into the ledger's tables for look `lookId` of run `runId` (inside its transaction).
    func copy(runId: String, lookId: Int64, db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO telemetry_tasks (run_id, event_key, look_id, arm, version, step_index,
                    conversation_id, task_id, request_id, trace_id, span_id, ts, outcome, cost_usd, cost_source,
                    latency_ms, input_tokens, output_tokens, steps, tool_calls, unauthorized, category, judge_score,
                    sample_key, sampled, input, output)
                SELECT ?, event_key, ?, arm, version, step_index, conversation_id, task_id, request_id, trace_id,
                    span_id, ts, outcome, cost_usd, cost_source, latency_ms, input_tokens, output_tokens, steps,
                    tool_calls, unauthorized, category, judge_score, sample_key, sampled, input, output
                FROM temp.spill_tasks ORDER BY rowid;
                INSERT OR IGNORE INTO telemetry_feedback
                SELECT ?, event_key, ?, arm, version, task_id, conversation_id, ts, rating, thumbs_up, comment
                FROM temp.spill_feedback ORDER BY rowid;
                INSERT OR IGNORE INTO telemetry_violations
                SELECT ?, event_key, ?, arm, version, task_id, conversation_id, ts, action, severity, policy
                FROM temp.spill_violations ORDER BY rowid;
                INSERT OR IGNORE INTO telemetry_shadow
                SELECT ?, event_key, ?, version, request_id, conversation_id, ts, proposed_tool_calls, output, agrees
                FROM temp.spill_shadow ORDER BY rowid;
                """,
            arguments: [runId, lookId, runId, lookId, runId, lookId, runId, lookId])
    }
}

extension Ledger {
    /// Runs `body` in a transaction that writes only this connection's temporary tables (no lock on the ledger).
    func writeTemporary(_ body: (Database) throws -> Void) throws(LedgerError) {
        do {
            try writer.writeWithoutTransaction { db in
                try db.inTransaction(.deferred) {
                    try body(db)
                    return .commit
                }
            }
        } catch {
            throw .database(reason: Self.describe(error))
        }
    }

    /// Runs `body` reading this connection's temporary tables (and the ledger).
    func readTemporary(_ body: (Database) throws -> Void) throws(LedgerError) {
        do {
            try writer.writeWithoutTransaction { db in try body(db) }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw .database(reason: Self.describe(error))
        }
    }
}

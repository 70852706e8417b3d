import Vocabulary

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
        try ledger.writeTemporary { session in
            let dialect = session.dialect
            for (name, columns) in Self.tables {
                try session.executeScript("DROP TABLE IF EXISTS \(dialect.temporarySchema).\(name)")
                switch dialect {
                case .sqlite:
                    try session.executeScript("CREATE TEMP TABLE \(name) (pos INTEGER PRIMARY KEY, \(columns))")
                case .postgres:
                    try session.executeScript(
                        LedgerMigrations.postgresSchema(
                            "CREATE TEMP TABLE \(name) (pos INTEGER PRIMARY KEY AUTOINCREMENT, \(columns))"))
                }
            }
        }
    }

    /// The temporary tables: each holds its ledger table's columns after `run_id` and `look_id`, in arrival
    /// order (`pos`); a task row also says whether it is a candidate for the sample of successes.
    static let tables: [(name: String, columns: String)] = [
        (
            "spill_tasks",
            """
            event_key TEXT NOT NULL, arm TEXT NOT NULL, version TEXT NOT NULL, step_index INTEGER,
            conversation_id TEXT NOT NULL, task_id TEXT NOT NULL, request_id TEXT, trace_id TEXT,
            span_id TEXT, ts REAL NOT NULL, outcome TEXT NOT NULL, cost_usd REAL, cost_source TEXT,
            latency_ms REAL, input_tokens REAL, output_tokens REAL, steps REAL, tool_calls TEXT NOT NULL,
            unauthorized INTEGER NOT NULL, category TEXT, judge_score REAL, sample_key REAL NOT NULL,
            sampled INTEGER NOT NULL, input TEXT, output TEXT, candidate INTEGER NOT NULL
            """
        ),
        (
            "spill_feedback",
            """
            event_key TEXT NOT NULL, arm TEXT NOT NULL, version TEXT NOT NULL, task_id TEXT,
            conversation_id TEXT, ts REAL NOT NULL, rating INTEGER, thumbs_up INTEGER, comment TEXT
            """
        ),
        (
            "spill_violations",
            """
            event_key TEXT NOT NULL, arm TEXT NOT NULL, version TEXT NOT NULL, task_id TEXT NOT NULL,
            conversation_id TEXT, ts REAL NOT NULL, action TEXT NOT NULL, severity TEXT NOT NULL, policy TEXT
            """
        ),
        (
            "spill_shadow",
            """
            event_key TEXT NOT NULL, version TEXT NOT NULL, request_id TEXT NOT NULL,
            conversation_id TEXT, ts REAL NOT NULL, proposed_tool_calls TEXT NOT NULL, output TEXT, agrees INTEGER
            """
        ),
    ]

    /// Adds a batch of rows. A success without unauthorized calls is a candidate for the sample of successes
    /// whose content is kept (see ``excludeCandidates(taskIds:)``).
    package func append(
        tasks: [TelemetryTaskRow], feedback: [TelemetryFeedbackRow], violations: [TelemetryViolationRow],
        shadow: [TelemetryShadowRow]
    ) throws(LedgerError) {
        try ledger.appendTemporary { session in
            try session.insertRows(
                into: "spill_tasks", columns: TelemetryTaskRow.Column.allCases.map(\.name) + ["candidate"],
                rows: tasks.map { task in
                    var row = [task.eventKey.sqlValue]
                    task.append(to: &row)
                    row.append((task.outcome == .success && task.unauthorized == 0).sqlValue)
                    return row
                })
            try session.insertRows(
                into: "spill_feedback", columns: TelemetryFeedbackRow.Column.allCases.map(\.name),
                rows: feedback.map { [$0.eventKey.sqlValue] + $0.values })
            try session.insertRows(
                into: "spill_violations", columns: TelemetryViolationRow.Column.allCases.map(\.name),
                rows: violations.map { [$0.eventKey.sqlValue] + $0.values })
            try session.insertRows(
                into: "spill_shadow", columns: TelemetryShadowRow.Column.allCases.map(\.name),
                rows: shadow.map { [$0.eventKey.sqlValue] + $0.values })
        }
    }

    /// Tasks of these ids (a violation names them) are no candidates: their content is kept, unsampled.
    package func excludeCandidates(taskIds: Set<String>) throws(LedgerError) {
        guard !taskIds.isEmpty else { return }
        try ledger.writeTemporary { session in
            for id in taskIds.sorted() {
                try session.execute(
                    "UPDATE spill_tasks SET candidate = 0 WHERE candidate = 1 AND task_id = ?", arguments: [id])
            }
        }
    }

    /// The columns ``forEachCandidate(_:)`` reads.
    enum CandidateColumn: Int, LedgerColumns {
        case pos, arm, sampleKey, eventKey
    }

    /// Calls `body` with every candidate's position, arm, sample key and event key, in the order they came.
    package func forEachCandidate(_ body: (Int64, String, Double, String) throws -> Void) throws(LedgerError) {
        try ledger.writeTemporary { session in
            try session.forEachRow(
                "SELECT \(CandidateColumn.selectList()) FROM spill_tasks WHERE candidate = 1 ORDER BY pos", values: []
            ) { row in
                try body(
                    try row[CandidateColumn.pos], try row[CandidateColumn.arm], try row[CandidateColumn.sampleKey],
                    try row[CandidateColumn.eventKey])
                return true
            }
        }
    }

    /// Marks the candidates `kept` as sampled and drops the content of every other candidate.
    package func keepSample(_ kept: [Int64]) throws(LedgerError) {
        try ledger.writeTemporary { session in
            for position in kept {
                try session.execute("UPDATE spill_tasks SET sampled = 1 WHERE pos = ?", arguments: [position])
            }
            try session.execute(
                "UPDATE spill_tasks SET input = NULL, output = NULL WHERE candidate = 1 AND sampled = 0")
        }
    }

    /// The columns ``forEachShadow(_:)`` reads.
    enum ShadowColumn: Int, LedgerColumns {
        case pos, requestId, proposedToolCalls
    }

    /// Calls `body` with every shadow row's position, request id and proposed tool calls (as stored).
    package func forEachShadow(_ body: (Int64, String, String) throws -> Void) throws(LedgerError) {
        try ledger.writeTemporary { session in
            try session.forEachRow("SELECT \(ShadowColumn.selectList()) FROM spill_shadow ORDER BY pos", values: []) {
                row in
                try body(
                    try row[ShadowColumn.pos], try row[ShadowColumn.requestId], try row[ShadowColumn.proposedToolCalls])
                return true
            }
        }
    }

    /// Sets whether shadow rows agree with the stable version's tool calls for the same request.
    package func setAgreements(_ agreements: [(rowid: Int64, agrees: Bool)]) throws(LedgerError) {
        try ledger.writeTemporary { session in
            for item in agreements {
                try session.execute(
                    "UPDATE spill_shadow SET agrees = ? WHERE pos = ?", arguments: [item.agrees, item.rowid])
            }
        }
    }

    /// Copies every row into the ledger's tables for look `lookId` of run `runId` (inside its transaction), in
    /// the order the rows came.
    func copy(runId: String, lookId: Int64, _ session: any LedgerSession) throws {
        let copies: [(table: String, spill: String, columns: [String])] = [
            ("telemetry_tasks", "spill_tasks", TelemetryTaskRow.columns),
            ("telemetry_feedback", "spill_feedback", TelemetryFeedbackRow.columns),
            ("telemetry_violations", "spill_violations", TelemetryViolationRow.columns),
            ("telemetry_shadow", "spill_shadow", TelemetryShadowRow.columns),
        ]
        for copy in copies {
            // `run_id, event_key, look_id, …` from the spill's `event_key, …` with the run and the look.
            let rest = copy.columns.dropFirst(3).map { "\"\($0)\"" }.joined(separator: ", ")
            try session.execute(
                """
                INSERT INTO \(copy.table) (\(copy.columns.map { "\"\($0)\"" }.joined(separator: ", ")))
                SELECT ?, event_key, ?, \(rest) FROM \(copy.spill) WHERE true ORDER BY pos
                ON CONFLICT DO NOTHING
                """, arguments: [runId, lookId])
        }
    }
}

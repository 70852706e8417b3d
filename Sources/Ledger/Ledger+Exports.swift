import Foundation
import GRDB

/// A record the ledger retained for feedback-export, with its provenance.
package struct RetainedRecord: Sendable, Equatable {
    /// `failures`, `rogue-actions`, `negative-feedback`, `shadow-disagreements` or `successes`.
    package var kind: String
    package var runId: String
    package var lookId: Int64
    package var stepIndex: Int?
    package var arm: String
    package var version: String
    package var conversationId: String
    package var taskId: String
    package var eventKey: String
    package var traceId: String?
    package var spanId: String?
    package var timestamp: Double
    package var outcome: String
    package var requestId: String?
    /// `cost_usd`, `latency_ms`, `input_tokens`, `output_tokens`, `steps`, `judge_score` as the telemetry gave them.
    package var metrics: TaskMetrics
    /// Where the cost came from (`telemetry`, `price_table`…).
    package var costSource: String?
    package var toolCalls: String
    package var category: String?
    package var input: String?
    package var output: String?
    /// Kind-specific labels: the violation, the rating, the proposed tool calls.
    package var labels: [String: String]
    /// The decision of the run's latest look at or before the record's look.
    package var decision: String?
}

/// A retained task's measurements; `nil` where the telemetry had none.
package struct TaskMetrics: Sendable, Equatable {
    package var costUSD: Double?
    package var latencyMs: Double?
    package var inputTokens: Double?
    package var outputTokens: Double?
    package var steps: Double?
    package var judgeScore: Double?

    /// The metrics by their column names, in name order, those present only.
    package var named: [(name: StaticString, value: Double)] {
        var result: [(name: StaticString, value: Double)] = []
        if let costUSD { result.append(("cost_usd", costUSD)) }
        if let inputTokens { result.append(("input_tokens", inputTokens)) }
        if let judgeScore { result.append(("judge_score", judgeScore)) }
        if let latencyMs { result.append(("latency_ms", latencyMs)) }
        if let outputTokens { result.append(("output_tokens", outputTokens)) }
        if let steps { result.append(("steps", steps)) }
        return result
    }
}

/// An export recorded in the ledger.
package struct ExportRow: Sendable, Equatable {
    package var id: Int64
    package var selectionKey: String
    package var scope: String
    package var kinds: String
    package var arm: String
    package var format: String
    package var outDir: String
    package var watermark: Int64
    package var records: Int
    package var manifestSha256: String
    package var createdAt: String

    /// Makes a row (`id` is assigned when it is recorded).
    package init(
        id: Int64, selectionKey: String, scope: String, kinds: String, arm: String, format: String, outDir: String,
        watermark: Int64, records: Int, manifestSha256: String, createdAt: String
    ) {
        self.id = id
        self.selectionKey = selectionKey
        self.scope = scope
        self.kinds = kinds
        self.arm = arm
        self.format = format
        self.outDir = outDir
        self.watermark = watermark
        self.records = records
        self.manifestSha256 = manifestSha256
        self.createdAt = createdAt
    }
}

extension Ledger {
    /// The runs a scope covers: one run, every run of an agent, or all runs.
    package func runIds(run: String?, agent: String?) throws(LedgerError) -> [String] {
        try read { db in
            if let run { return try String.fetchAll(db, sql: "SELECT id FROM runs WHERE id = ?", arguments: [run]) }
            if let agent {
                return try String.fetchAll(
                    db, sql: "SELECT id FROM runs WHERE agent = ? ORDER BY id", arguments: [agent])
            }
            return try String.fetchAll(db, sql: "SELECT id FROM runs ORDER BY id")
        }
    }

    /// The highest look id of `runIds` (the watermark an export up to now records).
    package func latestLook(runIds: [String]) throws(LedgerError) -> Int64 {
        try read { db in
            var latest: Int64 = 0
            for run in runIds {
                let value = try Int64.fetchOne(
                    db, sql: "SELECT max(id) FROM monitor_looks WHERE run_id = ?", arguments: [run])
                latest = max(latest, value ?? 0)
            }
            return latest
        }
    }

    /// Streams every retained record of `runIds` read by a look after `afterLook` and up to `upToLook`, of
    /// `kinds`, to `body`, one at a time, without holding them; `body` returns `false` to stop.
    package func forEachRetainedRecord(
        runIds: [String], kinds: Set<String>, afterLook: Int64, upToLook: Int64,
        _ body: @escaping (RetainedRecord) -> Bool
    ) throws(LedgerError) {
        try read { db in
            for run in runIds {
                let decisions = try Row.fetchAll(
                    db, sql: "SELECT id, decision FROM monitor_looks WHERE run_id = ? ORDER BY id", arguments: [run]
                ).map { (id: $0["id"] as Int64, decision: $0["decision"] as String) }
                func decision(at look: Int64) -> String? { decisions.last { $0.id <= look }?.decision }
                // Read by position (``taskColumns``): looking columns up by name was a tenth of an export.
                func task(_ row: Row, kind: String, labels: [String: String]) -> RetainedRecord {
                    let look: Int64 = row[1]
                    return RetainedRecord(
                        kind: kind, runId: run, lookId: look, stepIndex: row[4], arm: row[2], version: row[3],
                        conversationId: row[5], taskId: row[6], eventKey: row[0], traceId: row[8], spanId: row[9],
                        timestamp: row[10], outcome: row[11], requestId: row[7],
                        metrics: TaskMetrics(
                            costUSD: row[12], latencyMs: row[14], inputTokens: row[15], outputTokens: row[16],
                            steps: row[17], judgeScore: row[18]),
                        costSource: row[13], toolCalls: row[19], category: row[20], input: row[21], output: row[22],
                        labels: labels, decision: decision(at: look))
                }
                for query in Self.retainedQueries where kinds.contains(query.kind) {
                    let rows = try Row.fetchCursor(db, sql: query.sql, arguments: [run, afterLook, upToLook])
                    while let row = try rows.next() {
                        guard body(task(row, kind: query.kind, labels: query.labels(row))) else { return }
                    }
                }
            }
        }
    }

    /// How one kind of retained record is selected (arguments: run, after look, up to look): the task columns
    /// (``taskColumns``, positions 0–22) and the kind's own from position 23, read into labels.
    struct RetainedQuery {
        let kind: String
        let sql: String
        let labels: (Row) -> [String: String]
    }

    static var retainedQueries: [RetainedQuery] {
        let columns = taskColumns
        let window = "t.look_id > ? AND t.look_id <= ?"
        return [
            RetainedQuery(
                kind: "failures",
                sql: """
                    SELECT \(columns) FROM telemetry_tasks t
                    WHERE t.run_id = ? AND t.outcome != 'success' AND \(window) ORDER BY t.look_id, t.rowid
                    """, labels: { _ in [:] }),
            RetainedQuery(
                kind: "rogue-actions",
                sql: """
                    SELECT \(columns), t.unauthorized, v.action, v.severity, v.policy
                    FROM telemetry_tasks t
                    LEFT JOIN telemetry_violations v ON v.run_id = t.run_id AND v.task_id = t.task_id
                    WHERE t.run_id = ? AND (t.unauthorized > 0 OR v.event_key IS NOT NULL) AND \(window)
                    GROUP BY t.event_key ORDER BY t.look_id, t.rowid
                    """,
                labels: { row in
                    var labels = ["unauthorized_tool_calls": String(row[23] as Int)]
                    if let action: String = row[24] { labels["violation_action"] = action }
                    if let severity: String = row[25] { labels["violation_severity"] = severity }
                    if let policy: String = row[26] { labels["violation_policy"] = policy }
                    return labels
                }),
            RetainedQuery(
                kind: "negative-feedback",
                sql: """
                    SELECT \(columns), f.rating, f.thumbs_up, f.comment
                    FROM telemetry_feedback f
                    JOIN telemetry_tasks t ON t.run_id = f.run_id AND t.task_id = f.task_id
                    WHERE f.run_id = ? AND (f.rating <= 2 OR f.thumbs_up = 0) AND f.look_id > ? AND f.look_id <= ?
                    ORDER BY f.look_id, f.rowid
                    """,
                labels: { row in
                    var labels: [String: String] = [:]
                    if let rating: Int = row[23] { labels["rating"] = String(rating) }
                    if let thumbs: Bool = row[24] { labels["thumbs"] = thumbs ? "up" : "down" }
                    if let comment: String = row[25] { labels["comment"] = comment }
                    return labels
                }),
            RetainedQuery(
                kind: "shadow-disagreements",
                sql: """
                    SELECT \(columns), s.proposed_tool_calls, s.version, s.output
                    FROM telemetry_shadow s
                    JOIN telemetry_tasks t ON t.run_id = s.run_id AND t.request_id = s.request_id
                    WHERE s.run_id = ? AND s.agrees = 0 AND s.look_id > ? AND s.look_id <= ?
                    ORDER BY s.look_id, s.rowid
                    """,
                labels: { row in
                    var labels = ["proposed_tool_calls": row[23] as String, "shadow_version": row[24] as String]
                    if let output: String = row[25] { labels["proposed_output"] = output }
                    return labels
                }),
            RetainedQuery(
                kind: "successes",
                sql: """
                    SELECT \(columns) FROM telemetry_tasks t
                    WHERE t.run_id = ? AND t.outcome = 'success' AND t.sampled = 1 AND \(window)
                    ORDER BY t.look_id, t.rowid
                    """, labels: { _ in [:] }),
        ]
    }

    /// The task columns a retained record is read from, in the order `forEachRetainedRecord` reads them.
    static let taskColumns = """
        t.event_key, t.look_id, t.arm, t.version, t.step_index, t.conversation_id, t.task_id, t.request_id, \
        t.trace_id, t.span_id, t.ts, t.outcome, t.cost_usd, t.cost_source, t.latency_ms, t.input_tokens, \
        t.output_tokens, t.steps, t.judge_score, t.tool_calls, t.category, t.input, t.output
        """

    /// The latest export of a selection, if any.
    package func latestExport(selectionKey: String) throws(LedgerError) -> ExportRow? {
        try read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM exports WHERE selection_key = ? ORDER BY id DESC LIMIT 1",
                arguments: [selectionKey]
            ).map(Self.exportRow)
        }
    }

    /// Every export, oldest first.
    package func exports() throws(LedgerError) -> [ExportRow] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM exports ORDER BY id").map(Self.exportRow) }
    }

    /// Records an export (after its directory is in place, so the watermark moves only on success) and, for
    /// each source run, the stage that made it with its outputs, in one transaction. With `after` (an
    /// incremental export), refuses to record unless the selection's latest watermark is still `after`.
    package func recordExport(
        _ export: ExportRow, after: Int64? = nil, runs: [String] = [], stage: StageInvocation? = nil,
        outputs: [OutputFile] = []
    ) throws(LedgerError) -> Int64 {
        try write { db in
            if let after {
                let latest = try Int64.fetchOne(
                    db, sql: "SELECT watermark FROM exports WHERE selection_key = ? ORDER BY id DESC LIMIT 1",
                    arguments: [export.selectionKey])
                guard (latest ?? 0) == after else { throw LedgerError.staleExport(selection: export.selectionKey) }
            }
            try db.execute(
                sql: """
                    INSERT INTO exports (selection_key, scope, kinds, arm, format, out_dir, watermark, records,
                        manifest_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    export.selectionKey, export.scope, export.kinds, export.arm, export.format, export.outDir,
                    export.watermark, export.records, export.manifestSha256, export.createdAt,
                ])
            let id = db.lastInsertedRowID
            if let stage {
                for run in runs {
                    let stageId = try insertStage(stage, runId: run, db: db)
                    _ = try insertArtifacts(outputs, runId: run, stageId: stageId, createdAt: stage.endedAt, db: db)
                }
            }
            return id
        }
    }

    static func exportRow(_ row: Row) -> ExportRow {
        ExportRow(
            id: row["id"], selectionKey: row["selection_key"], scope: row["scope"], kinds: row["kinds"],
            arm: row["arm"],
            format: row["format"], outDir: row["out_dir"], watermark: row["watermark"], records: row["records"],
            manifestSha256: row["manifest_sha256"], createdAt: row["created_at"])
    }
}

import Foundation
import Vocabulary

/// A record the ledger retained for feedback-export, with its provenance.
package struct RetainedRecord: Sendable, Equatable {
    package var kind: RecordKind
    package var runId: String
    package var lookId: Int64
    package var stepIndex: Int?
    package var arm: Arm
    package var version: String
    package var conversationId: String
    package var taskId: String
    package var eventKey: String
    package var traceId: String?
    package var spanId: String?
    package var timestamp: Double
    package var outcome: TaskOutcome
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
    package var decision: Decision?
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

    /// The columns of `exports`, in the order the row reads them.
    enum Column: Int, LedgerColumns {
        case id, selectionKey, scope, kinds, arm, format, outDir, watermark, records, manifestSha256, createdAt
    }

    init(row: SQLRow) throws {
        self.init(
            id: try row[Column.id], selectionKey: try row[Column.selectionKey], scope: try row[Column.scope],
            kinds: try row[Column.kinds], arm: try row[Column.arm], format: try row[Column.format],
            outDir: try row[Column.outDir], watermark: try row[Column.watermark], records: try row[Column.records],
            manifestSha256: try row[Column.manifestSha256], createdAt: try row[Column.createdAt])
    }

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
        try read { session in
            let rows: [SQLRow]
            if let run {
                rows = try session.rows("SELECT id FROM runs WHERE id = ?", arguments: [run])
            } else if let agent {
                rows = try session.rows("SELECT id FROM runs WHERE agent = ? ORDER BY id", arguments: [agent])
            } else {
                rows = try session.rows("SELECT id FROM runs ORDER BY id")
            }
            return try rows.map { try $0.scalar() }
        }
    }

    /// The highest look id of `runIds` (the watermark an export up to now records).
    package func latestLook(runIds: [String]) throws(LedgerError) -> Int64 {
        try read { session in
            var latest: Int64 = 0
            for run in runIds {
                let value: Int64? = try session.scalar(
                    "SELECT max(id) FROM monitor_looks WHERE run_id = ?", arguments: [run])
                latest = max(latest, value ?? 0)
            }
            return latest
        }
    }

    /// Streams every retained record of `runIds` read by a look after `afterLook` and up to `upToLook`, of
    /// `kinds`, to `body`, one at a time, without holding them; `body` returns `false` to stop.
    package func forEachRetainedRecord(
        runIds: [String], kinds: Set<RecordKind>, afterLook: Int64, upToLook: Int64,
        _ body: @escaping (RetainedRecord) -> Bool
    ) throws(LedgerError) {
        try read { session in
            for run in runIds {
                let decisions = try session.rows(
                    "SELECT id, decision FROM monitor_looks WHERE run_id = ? ORDER BY id", arguments: [run]
                ).map {
                    (
                        id: try $0.value(at: 0, named: "id") as Int64,
                        decision: try $0.value(at: 1, named: "decision") as Decision
                    )
                }
                func decision(at look: Int64) -> Decision? { decisions.last { $0.id <= look }?.decision }
                typealias Column = RetainedColumn
                func task(_ row: SQLRow, kind: RecordKind, labels: [String: String]) throws -> RetainedRecord {
                    let look: Int64 = try row.value(at: Column.lookId.rawValue, named: "look_id")
                    return RetainedRecord(
                        kind: kind, runId: run, lookId: look, stepIndex: try row[Column.stepIndex],
                        arm: try row[Column.arm],
                        version: try row[Column.version], conversationId: try row[Column.conversationId],
                        taskId: try row[Column.taskId], eventKey: try row[Column.eventKey],
                        traceId: try row[Column.traceId],
                        spanId: try row[Column.spanId], timestamp: try row[Column.ts], outcome: try row[Column.outcome],
                        requestId: try row[Column.requestId],
                        metrics: TaskMetrics(
                            costUSD: try row[Column.costUsd], latencyMs: try row[Column.latencyMs],
                            inputTokens: try row[Column.inputTokens], outputTokens: try row[Column.outputTokens],
                            steps: try row[Column.steps], judgeScore: try row[Column.judgeScore]),
                        costSource: try row[Column.costSource], toolCalls: try row[Column.toolCalls],
                        category: try row[Column.category], input: try row[Column.input],
                        output: try row[Column.output],
                        labels: labels, decision: decision(at: look))
                }
                for query in Self.retainedQueries(session.dialect) where kinds.contains(query.kind) {
                    var stopped = false
                    try session.forEachRow(query.sql, values: query.arguments(run, afterLook, upToLook)) { row in
                        stopped = !body(try task(row, kind: query.kind, labels: try query.labels(row)))
                        return !stopped
                    }
                    if stopped { return }
                }
            }
        }
    }

    /// The task columns every retained record reads, in the order its query selects them (the kind's own
    /// follow, read into labels by ``RetainedQuery/labels``).
    enum RetainedColumn: Int, LedgerColumns {
        case eventKey, lookId, arm, version, stepIndex, conversationId, taskId, requestId, traceId, spanId, ts
        case outcome, costUsd, costSource, latencyMs, inputTokens, outputTokens, steps, judgeScore, toolCalls
        case category, input, output
    }

    /// How one kind of retained record is selected: the task columns (``RetainedColumn``) and the kind's own
    /// after them, read into labels.
    struct RetainedQuery {
        let kind: RecordKind
        let sql: String
        let arguments: (_ run: String, _ afterLook: Int64, _ upToLook: Int64) -> [SQLValue]
        let labels: (SQLRow) throws -> [String: String]
    }

    static func retainedQueries(_ dialect: SQLDialect) -> [RetainedQuery] {
        let columns = RetainedColumn.selectList(alias: "t")
        let order = dialect.arrivalOrder
        let extra = RetainedColumn.allCases.count
        func label<Value: SQLDecodable>(_ row: SQLRow, _ offset: Int, _ name: String) throws -> Value {
            try row.value(at: extra + offset, named: name)
        }
        let window: (String, Int64, Int64) -> [SQLValue] = { [.text($0), .integer($1), .integer($2)] }
        return [
            RetainedQuery(
                kind: .failures,
                sql: """
                    SELECT \(columns) FROM telemetry_tasks t
                    WHERE t.run_id = ? AND t.outcome != 'success' AND t.look_id > ? AND t.look_id <= ?
                    ORDER BY t.look_id, t.\(order)
                    """, arguments: window, labels: { _ in [:] }),
            RetainedQuery(
                kind: .rogueActions,
                // A task with several violations is exported once, with the first of them (by event key).
                sql: """
                    SELECT \(columns), t.unauthorized, v.action, v.severity, v.policy
                    FROM telemetry_tasks t
                    LEFT JOIN (SELECT task_id, min(event_key) AS event_key FROM telemetry_violations
                        WHERE run_id = ? GROUP BY task_id) first ON first.task_id = t.task_id
                    LEFT JOIN telemetry_violations v ON v.run_id = t.run_id AND v.event_key = first.event_key
                    WHERE t.run_id = ? AND (t.unauthorized > 0 OR v.event_key IS NOT NULL)
                        AND t.look_id > ? AND t.look_id <= ?
                    ORDER BY t.look_id, t.\(order)
                    """,
                arguments: { [.text($0), .text($0), .integer($1), .integer($2)] },
                labels: { row in
                    var labels = ["unauthorized_tool_calls": String(try label(row, 0, "unauthorized") as Int)]
                    if let action: String = try label(row, 1, "action") { labels["violation_action"] = action }
                    if let severity: String = try label(row, 2, "severity") { labels["violation_severity"] = severity }
                    if let policy: String = try label(row, 3, "policy") { labels["violation_policy"] = policy }
                    return labels
                }),
            RetainedQuery(
                kind: .negativeFeedback,
                sql: """
                    SELECT \(columns), f.rating, f.thumbs_up, f.comment
                    FROM telemetry_feedback f
                    JOIN telemetry_tasks t ON t.run_id = f.run_id AND t.task_id = f.task_id
                    WHERE f.run_id = ? AND (f.rating <= 2 OR f.thumbs_up = 0) AND f.look_id > ? AND f.look_id <= ?
                    ORDER BY f.look_id, f.\(order)
                    """, arguments: window,
                labels: { row in
                    var labels: [String: String] = [:]
                    if let rating: Int = try label(row, 0, "rating") { labels["rating"] = String(rating) }
                    if let thumbs: Bool = try label(row, 1, "thumbs_up") { labels["thumbs"] = thumbs ? "up" : "down" }
                    if let comment: String = try label(row, 2, "comment") { labels["comment"] = comment }
                    return labels
                }),
            RetainedQuery(
                kind: .shadowDisagreements,
                sql: """
                    SELECT \(columns), s.proposed_tool_calls, s.version, s.output
                    FROM telemetry_shadow s
                    JOIN telemetry_tasks t ON t.run_id = s.run_id AND t.request_id = s.request_id
                    WHERE s.run_id = ? AND s.agrees = 0 AND s.look_id > ? AND s.look_id <= ?
                    ORDER BY s.look_id, s.\(order)
                    """, arguments: window,
                labels: { row in
                    var labels = [
                        "proposed_tool_calls": try label(row, 0, "proposed_tool_calls") as String,
                        "shadow_version": try label(row, 1, "version") as String,
                    ]
                    if let output: String = try label(row, 2, "output") { labels["proposed_output"] = output }
                    return labels
                }),
            RetainedQuery(
                kind: .successes,
                sql: """
                    SELECT \(columns) FROM telemetry_tasks t
                    WHERE t.run_id = ? AND t.outcome = 'success' AND t.sampled = 1 AND t.look_id > ? AND t.look_id <= ?
                    ORDER BY t.look_id, t.\(order)
                    """, arguments: window, labels: { _ in [:] }),
        ]
    }

    /// The latest export of a selection, if any.
    package func latestExport(selectionKey: String) throws(LedgerError) -> ExportRow? {
        try read { session in
            try session.row(
                "SELECT \(ExportRow.Column.selectList()) FROM exports WHERE selection_key = ? ORDER BY id DESC LIMIT 1",
                arguments: [selectionKey]
            ).map(ExportRow.init)
        }
    }

    /// Every export, oldest first.
    package func exports() throws(LedgerError) -> [ExportRow] {
        try read { session in
            try session.rows("SELECT \(ExportRow.Column.selectList()) FROM exports ORDER BY id").map(ExportRow.init)
        }
    }

    /// Records an export (after its directory is in place, so the watermark moves only on success) and, for
    /// each source run, the stage that made it with its outputs, in one transaction. With `after` (an
    /// incremental export), refuses to record unless the selection's latest watermark is still `after`.
    package func recordExport(
        _ export: ExportRow, after: Int64? = nil, runs: [String] = [], stage: StageInvocation? = nil,
        outputs: [OutputFile] = []
    ) throws(LedgerError) -> Int64 {
        try write { session in
            if let after {
                let latest: Int64? = try session.scalar(
                    "SELECT watermark FROM exports WHERE selection_key = ? ORDER BY id DESC LIMIT 1",
                    arguments: [export.selectionKey])
                guard (latest ?? 0) == after else { throw LedgerError.staleExport(selection: export.selectionKey) }
            }
            let id = try session.insertReturningID(
                """
                INSERT INTO exports (selection_key, scope, kinds, arm, format, out_dir, watermark, records,
                    manifest_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                arguments: [
                    export.selectionKey, export.scope, export.kinds, export.arm, export.format, export.outDir,
                    export.watermark, export.records, export.manifestSha256, export.createdAt,
                ])
            if let stage {
                for run in runs {
                    let stageId = try insertStage(stage, runId: run, session)
                    _ = try insertArtifacts(outputs, runId: run, stageId: stageId, createdAt: stage.endedAt, session)
                }
            }
            return id
        }
    }
}

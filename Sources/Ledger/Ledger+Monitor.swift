import Foundation
import GRDB

/// A task of a run's canary as the ledger keeps it.
package struct TelemetryTaskRow: Sendable, Equatable {
    package var eventKey: String
    package var arm: String
    package var version: String
    package var stepIndex: Int?
    package var conversationId: String
    package var taskId: String
    package var requestId: String?
    package var traceId: String?
    package var spanId: String?
    package var timestamp: Double
    package var outcome: String
    package var costUSD: Double?
    package var costSource: String?
    package var latencyMs: Double?
    package var inputTokens: Double?
    package var outputTokens: Double?
    package var steps: Double?
    /// JSON array of {name, authorized}.
    package var toolCalls: String
    package var unauthorized: Int
    package var category: String?
    package var judgeScore: Double?
    /// A uniform key in [0, 1) from the event key; the successes with the smallest keep their content.
    package var sampleKey: Double
    package var sampled: Bool
    package var input: String?
    package var output: String?

    /// Makes a row.
    package init(
        eventKey: String, arm: String, version: String, stepIndex: Int?, conversationId: String, taskId: String,
        requestId: String?, traceId: String?, spanId: String?, timestamp: Double, outcome: String, costUSD: Double?,
        costSource: String?, latencyMs: Double?, inputTokens: Double?, outputTokens: Double?, steps: Double?,
        toolCalls: String, unauthorized: Int, category: String?, judgeScore: Double?, sampleKey: Double,
        sampled: Bool, input: String?, output: String?
    ) {
        self.eventKey = eventKey
        self.arm = arm
        self.version = version
        self.stepIndex = stepIndex
        self.conversationId = conversationId
        self.taskId = taskId
        self.requestId = requestId
        self.traceId = traceId
        self.spanId = spanId
        self.timestamp = timestamp
        self.outcome = outcome
        self.costUSD = costUSD
        self.costSource = costSource
        self.latencyMs = latencyMs
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.steps = steps
        self.toolCalls = toolCalls
        self.unauthorized = unauthorized
        self.category = category
        self.judgeScore = judgeScore
        self.sampleKey = sampleKey
        self.sampled = sampled
        self.input = input
        self.output = output
    }
}

/// A feedback event as the ledger keeps it.
package struct TelemetryFeedbackRow: Sendable, Equatable {
    package var eventKey: String
    package var arm: String
    package var version: String
    package var taskId: String?
    package var conversationId: String?
    package var timestamp: Double
    package var rating: Int?
    package var thumbsUp: Bool?
    package var comment: String?

    /// Makes a row.
    package init(
        eventKey: String, arm: String, version: String, taskId: String?, conversationId: String?, timestamp: Double,
        rating: Int?, thumbsUp: Bool?, comment: String?
    ) {
        self.eventKey = eventKey
        self.arm = arm
        self.version = version
        self.taskId = taskId
        self.conversationId = conversationId
        self.timestamp = timestamp
        self.rating = rating
        self.thumbsUp = thumbsUp
        self.comment = comment
    }
}

/// A violation as the ledger keeps it.
package struct TelemetryViolationRow: Sendable, Equatable {
    package var eventKey: String
    package var arm: String
    package var version: String
    package var taskId: String
    package var conversationId: String
    package var timestamp: Double
    package var action: String
    package var severity: String
    package var policy: String?

    /// Makes a row.
    package init(
        eventKey: String, arm: String, version: String, taskId: String, conversationId: String, timestamp: Double,
        action: String, severity: String, policy: String?
    ) {
        self.eventKey = eventKey
        self.arm = arm
        self.version = version
        self.taskId = taskId
        self.conversationId = conversationId
        self.timestamp = timestamp
        self.action = action
        self.severity = severity
        self.policy = policy
    }
}

/// A shadow proposal as the ledger keeps it.
package struct TelemetryShadowRow: Sendable, Equatable {
    package var eventKey: String
    package var version: String
    package var requestId: String
    package var conversationId: String
    package var timestamp: Double
    /// JSON array of {name}.
    package var proposedToolCalls: String
    package var output: String?
    package var agrees: Bool?

    /// Makes a row.
    package init(
        eventKey: String, version: String, requestId: String, conversationId: String, timestamp: Double,
        proposedToolCalls: String, output: String?, agrees: Bool?
    ) {
        self.eventKey = eventKey
        self.version = version
        self.requestId = requestId
        self.conversationId = conversationId
        self.timestamp = timestamp
        self.proposedToolCalls = proposedToolCalls
        self.output = output
        self.agrees = agrees
    }
}

/// How far a telemetry file has been read.
package struct TelemetryCursor: Sendable, Equatable {
    /// The path as given.
    package var source: String
    /// What identifies the file's content: device, inode and a hash of its first bytes.
    package var identity: String
    package var offset: Int
    /// Lines before `offset`, so messages name the file's own line numbers.
    package var line: Int

    /// Makes a cursor.
    package init(source: String, identity: String, offset: Int, line: Int) {
        self.source = source
        self.identity = identity
        self.offset = offset
        self.line = line
    }
}

/// A run's telemetry as stored so far.
/// One metric of a look, as a row.
package struct LookMetricRow: Sendable, Equatable {
    package var name: String
    package var role: String
    package var status: String
    package var baselineValue: Double?
    package var candidateValue: Double?
    package var baselineN: Int
    package var candidateN: Int
    package var difference: Double?
    package var ratio: Double?
    package var ciLow: Double?
    package var ciHigh: Double?
    package var method: String

    /// Makes a row.
    package init(
        name: String, role: String, status: String, baselineValue: Double?, candidateValue: Double?, baselineN: Int,
        candidateN: Int, difference: Double?, ratio: Double?, ciLow: Double?, ciHigh: Double?, method: String
    ) {
        self.name = name
        self.role = role
        self.status = status
        self.baselineValue = baselineValue
        self.candidateValue = candidateValue
        self.baselineN = baselineN
        self.candidateN = candidateN
        self.difference = difference
        self.ratio = ratio
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.method = method
    }
}

/// A stored look.
package struct LookRow: Sendable, Equatable {
    package var id: Int64
    package var runId: String?
    package var agent: String
    package var baselineVersion: String
    package var candidateVersion: String
    package var mode: String
    package var stepIndex: Int?
    package var weight: Int?
    package var decision: String
    package var policySha256: String
    package var inputsJSON: String
    package var judgementJSON: String
    package var analysisSha256: String
    package var createdAt: String

    /// Makes a row (`id` is assigned when it is recorded).
    package init(
        id: Int64, runId: String?, agent: String, baselineVersion: String, candidateVersion: String, mode: String,
        stepIndex: Int?, weight: Int?, decision: String, policySha256: String, inputsJSON: String,
        judgementJSON: String, analysisSha256: String, createdAt: String
    ) {
        self.id = id
        self.runId = runId
        self.agent = agent
        self.baselineVersion = baselineVersion
        self.candidateVersion = candidateVersion
        self.mode = mode
        self.stepIndex = stepIndex
        self.weight = weight
        self.decision = decision
        self.policySha256 = policySha256
        self.inputsJSON = inputsJSON
        self.judgementJSON = judgementJSON
        self.analysisSha256 = analysisSha256
        self.createdAt = createdAt
    }
}

/// Everything one look writes, in one transaction.
package struct LookWrite: Sendable {
    package var look: LookRow
    package var metrics: [LookMetricRow]
    package var stage: StageInvocation?
    package var tasks: [TelemetryTaskRow] = []
    package var feedback: [TelemetryFeedbackRow] = []
    package var violations: [TelemetryViolationRow] = []
    package var shadow: [TelemetryShadowRow] = []
    package var cursors: [TelemetryCursor] = []
    /// Stored successes whose content leaves the sample.
    package var unsampled: [String] = []
    /// Stored shadow rows whose agreement became known.
    package var shadowAgreements: [String: Bool] = [:]
    /// The look's new rows, waiting outside memory (after the rows above).
    package var spill: TelemetrySpill?

    /// A write of `look` with its metrics.
    package init(look: LookRow, metrics: [LookMetricRow], stage: StageInvocation?) {
        self.look = look
        self.metrics = metrics
        self.stage = stage
    }
}

extension Ledger {
    /// Records a look and the telemetry it read; `artifacts` gets the look's id and stages the output files
    /// (whose hashes it returns) before the transaction commits, so the analysis can name its own look.
    package func recordLook(
        _ write: LookWrite, artifacts: @escaping (Int64) throws -> (analysisSha256: String, outputs: [OutputFile])
    )
        throws(LedgerError) -> Int64
    {
        try self.write { db in
            let look = write.look
            if let runId = look.runId, try RunRecord.fetchOne(db, key: runId) == nil {
                throw LedgerError.notFound(what: "run \(runId)")
            }
            var stageId: Int64?
            if let runId = look.runId, let stage = write.stage {
                stageId = try insertStage(stage, runId: runId, db: db)
            }
            try db.execute(
                sql: """
                    INSERT INTO monitor_looks (run_id, stage_id, agent, baseline_version, candidate_version, mode,
                        step_index, weight, decision, policy_sha256, inputs_json, judgement_json, analysis_sha256, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)
                    """,
                arguments: [
                    look.runId, stageId, look.agent, look.baselineVersion, look.candidateVersion, look.mode,
                    look.stepIndex,
                    look.weight, look.decision, look.policySha256, look.inputsJSON, look.judgementJSON, look.createdAt,
                ])
            let lookId = db.lastInsertedRowID
            for metric in write.metrics {
                try db.execute(
                    sql: """
                        INSERT INTO monitor_metrics VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        lookId, metric.name, metric.role, metric.status, metric.baselineValue, metric.candidateValue,
                        metric.baselineN, metric.candidateN, metric.difference, metric.ratio, metric.ciLow,
                        metric.ciHigh,
                        metric.method,
                    ])
            }
            if let runId = look.runId {
                try insertTelemetry(write, runId: runId, lookId: lookId, db: db)
            }
            let (analysisSha, outputs) = try artifacts(lookId)
            try db.execute(
                sql: "UPDATE monitor_looks SET analysis_sha256 = ? WHERE id = ?", arguments: [analysisSha, lookId])
            if let runId = look.runId, let stageId {
                _ = try insertArtifacts(outputs, runId: runId, stageId: stageId, createdAt: look.createdAt, db: db)
            }
            return lookId
        }
    }

    func insertTelemetry(_ write: LookWrite, runId: String, lookId: Int64, db: Database) throws {
        let taskStatement = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO telemetry_tasks (run_id, event_key, look_id, arm, version, step_index,
                    conversation_id, task_id, request_id, trace_id, span_id, ts, outcome, cost_usd, cost_source,
                    latency_ms, input_tokens, output_tokens, steps, tool_calls, unauthorized, category, judge_score,
                    sample_key, sampled, input, output)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for task in write.tasks {
            let values: [(any DatabaseValueConvertible)?] = [
                runId, task.eventKey, lookId, task.arm, task.version, task.stepIndex, task.conversationId, task.taskId,
                task.requestId, task.traceId, task.spanId, task.timestamp, task.outcome, task.costUSD, task.costSource,
                task.latencyMs, task.inputTokens, task.outputTokens, task.steps, task.toolCalls, task.unauthorized,
                task.category, task.judgeScore, task.sampleKey, task.sampled, task.input, task.output,
            ]
            try taskStatement.execute(arguments: StatementArguments(values))
        }
        try write.spill?.copy(runId: runId, lookId: lookId, db: db)
        for key in write.unsampled {
            try db.execute(
                sql: """
                    UPDATE telemetry_tasks SET sampled = 0, input = NULL, output = NULL
                    WHERE run_id = ? AND event_key = ? AND outcome = 'success' AND unauthorized = 0
                    """,
                arguments: [runId, key])
        }
        for feedback in write.feedback {
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO telemetry_feedback VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    runId, feedback.eventKey, lookId, feedback.arm, feedback.version, feedback.taskId,
                    feedback.conversationId, feedback.timestamp, feedback.rating, feedback.thumbsUp, feedback.comment,
                ])
        }
        for violation in write.violations {
            try db.execute(
                sql: "INSERT OR IGNORE INTO telemetry_violations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    runId, violation.eventKey, lookId, violation.arm, violation.version, violation.taskId,
                    violation.conversationId, violation.timestamp, violation.action, violation.severity,
                    violation.policy,
                ])
        }
        for shadow in write.shadow {
            try db.execute(
                sql: "INSERT OR IGNORE INTO telemetry_shadow VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    runId, shadow.eventKey, lookId, shadow.version, shadow.requestId, shadow.conversationId,
                    shadow.timestamp, shadow.proposedToolCalls, shadow.output, shadow.agrees,
                ])
        }
        for (key, agrees) in write.shadowAgreements.sorted(by: { $0.key < $1.key }) {
            try db.execute(
                sql: "UPDATE telemetry_shadow SET agrees = ? WHERE run_id = ? AND event_key = ?",
                arguments: [agrees, runId, key])
        }
        for cursor in write.cursors {
            try db.execute(
                sql: """
                    INSERT INTO telemetry_sources (run_id, source, identity, offset, line, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (run_id, source) DO UPDATE SET identity = excluded.identity, offset = excluded.offset,
                        line = excluded.line, updated_at = excluded.updated_at
                    """,
                arguments: [runId, cursor.source, cursor.identity, cursor.offset, cursor.line, write.look.createdAt])
        }
    }

    /// A stored look.
    package func look(id: Int64) throws(LedgerError) -> LookRow? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM monitor_looks WHERE id = ?", arguments: [id]).map(Self.lookRow)
        }
    }

    /// The looks of a run, oldest first.
    package func looks(runId: String) throws(LedgerError) -> [LookRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM monitor_looks WHERE run_id = ? ORDER BY id", arguments: [runId])
                .map(Self.lookRow)
        }
    }

    static func lookRow(_ row: Row) -> LookRow {
        LookRow(
            id: row["id"], runId: row["run_id"], agent: row["agent"], baselineVersion: row["baseline_version"],
            candidateVersion: row["candidate_version"], mode: row["mode"], stepIndex: row["step_index"],
            weight: row["weight"], decision: row["decision"], policySha256: row["policy_sha256"],
            inputsJSON: row["inputs_json"], judgementJSON: row["judgement_json"],
            analysisSha256: row["analysis_sha256"], createdAt: row["created_at"])
    }
}

import GRDB

/// One row of a run's stored telemetry (see ``Ledger/forEachStoredTelemetry(runId:_:)``).
package enum StoredTelemetryRow: Sendable {
    case task(TelemetryTaskRow)
    case feedback(TelemetryFeedbackRow)
    case violation(TelemetryViolationRow)
    case shadow(TelemetryShadowRow)
}

extension Ledger {
    /// Calls `body` with every telemetry row stored for `runId` (tasks without their content, then feedback,
    /// violations and shadow proposals, each in the order they were recorded) from a cursor: memory does not
    /// grow with the run's telemetry. Returns how far each file was read.
    package func forEachStoredTelemetry(runId: String, _ body: (StoredTelemetryRow) throws -> Void) throws(LedgerError)
        -> [String: TelemetryCursor]
    {
        do {
            return try writer.read { db in
                let tasks = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT event_key, arm, version, step_index, conversation_id, task_id, request_id, trace_id,
                            span_id, ts, outcome, cost_usd, cost_source, latency_ms, input_tokens, output_tokens, steps,
                            tool_calls, unauthorized, category, judge_score, sample_key, sampled
                        FROM telemetry_tasks WHERE run_id = ? ORDER BY look_id, rowid
                        """, arguments: [runId])
                while let row = try tasks.next() {
                    try body(
                        .task(
                            TelemetryTaskRow(
                                eventKey: row["event_key"], arm: row["arm"], version: row["version"],
                                stepIndex: row["step_index"], conversationId: row["conversation_id"],
                                taskId: row["task_id"], requestId: row["request_id"], traceId: row["trace_id"],
                                spanId: row["span_id"], timestamp: row["ts"], outcome: row["outcome"],
                                costUSD: row["cost_usd"], costSource: row["cost_source"], latencyMs: row["latency_ms"],
                                inputTokens: row["input_tokens"], outputTokens: row["output_tokens"],
                                steps: row["steps"],
                                toolCalls: row["tool_calls"], unauthorized: row["unauthorized"],
                                category: row["category"], judgeScore: row["judge_score"], sampleKey: row["sample_key"],
                                sampled: row["sampled"], input: nil, output: nil)))
                }
                let feedback = try Row.fetchCursor(
                    db, sql: "SELECT * FROM telemetry_feedback WHERE run_id = ? ORDER BY look_id, rowid",
                    arguments: [runId])
                while let row = try feedback.next() {
                    try body(
                        .feedback(
                            TelemetryFeedbackRow(
                                eventKey: row["event_key"], arm: row["arm"], version: row["version"],
                                taskId: row["task_id"], conversationId: row["conversation_id"], timestamp: row["ts"],
                                rating: row["rating"], thumbsUp: row["thumbs_up"], comment: row["comment"])))
                }
                let violations = try Row.fetchCursor(
                    db, sql: "SELECT * FROM telemetry_violations WHERE run_id = ? ORDER BY look_id, rowid",
                    arguments: [runId])
                while let row = try violations.next() {
                    try body(
                        .violation(
                            TelemetryViolationRow(
                                eventKey: row["event_key"], arm: row["arm"], version: row["version"],
                                taskId: row["task_id"], conversationId: row["conversation_id"], timestamp: row["ts"],
                                action: row["action"], severity: row["severity"], policy: row["policy"])))
                }
                let shadow = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT event_key, version, request_id, conversation_id, ts, proposed_tool_calls, agrees
                        FROM telemetry_shadow WHERE run_id = ? ORDER BY look_id, rowid
                        """, arguments: [runId])
                while let row = try shadow.next() {
                    try body(
                        .shadow(
                            TelemetryShadowRow(
                                eventKey: row["event_key"], version: row["version"], requestId: row["request_id"],
                                conversationId: row["conversation_id"], timestamp: row["ts"],
                                proposedToolCalls: row["proposed_tool_calls"], output: nil, agrees: row["agrees"])))
                }
                var cursors: [String: TelemetryCursor] = [:]
                for row in try Row.fetchAll(
                    db, sql: "SELECT source, identity, offset, line FROM telemetry_sources WHERE run_id = ?",
                    arguments: [runId])
                {
                    let cursor = TelemetryCursor(
                        source: row["source"], identity: row["identity"], offset: row["offset"], line: row["line"])
                    cursors[cursor.source] = cursor
                }
                return cursors
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw .database(reason: Self.describe(error))
        }
    }
}

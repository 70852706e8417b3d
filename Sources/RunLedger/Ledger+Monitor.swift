import Foundation

extension Ledger {
    /// Records a look and the telemetry it read; `artifacts` gets the look's id and stages the output files
    /// (whose hashes it returns) before the transaction commits, so the analysis can name its own look.
    package func recordLook(
        _ write: LookWrite, artifacts: @escaping (Int64) throws -> (analysisSha256: String, outputs: [OutputFile])
    )
        throws(LedgerError) -> Int64
    {
        try self.write { session in
            let look = write.look
            if let runId = look.runId, try RunRecord.fetch(id: runId, session) == nil {
                throw LedgerError.notFound(what: "run \(runId)")
            }
            var stageId: Int64?
            if let runId = look.runId, let stage = write.stage {
                stageId = try insertStage(stage, runId: runId, session)
            }
            let lookId = try session.insertReturningID(
                """
                INSERT INTO monitor_looks (run_id, stage_id, agent, baseline_version, candidate_version, mode,
                    step_index, weight, decision, policy_sha256, inputs_json, judgement_json, analysis_sha256, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)
                """,
                arguments: [
                    look.runId, stageId, look.agent, look.baselineVersion, look.candidateVersion, look.mode,
                    look.stepIndex, look.weight, look.decision, look.policySha256, look.inputsJSON, look.judgementJSON,
                    look.createdAt,
                ])
            try session.insertRows(
                into: "monitor_metrics",
                columns: [
                    "look_id", "name", "role", "status", "baseline_value", "candidate_value", "baseline_n",
                    "candidate_n",
                    "difference", "ratio", "ci_low", "ci_high", "method",
                ],
                rows: write.metrics.map { metric in
                    [
                        .integer(lookId), metric.name.sqlValue, metric.role.sqlValue, metric.status.sqlValue,
                        metric.baselineValue.sqlValue, metric.candidateValue.sqlValue, metric.baselineN.sqlValue,
                        metric.candidateN.sqlValue, metric.difference.sqlValue, metric.ratio.sqlValue,
                        metric.ciLow.sqlValue, metric.ciHigh.sqlValue, metric.method.sqlValue,
                    ]
                })
            if let runId = look.runId {
                try insertTelemetry(write, runId: runId, lookId: lookId, session)
            }
            let (analysisSha, outputs) = try artifacts(lookId)
            try session.execute(
                "UPDATE monitor_looks SET analysis_sha256 = ? WHERE id = ?", arguments: [analysisSha, lookId])
            if let runId = look.runId, let stageId {
                _ = try insertArtifacts(outputs, runId: runId, stageId: stageId, createdAt: look.createdAt, session)
            }
            return lookId
        }
    }

    func insertTelemetry(_ write: LookWrite, runId: String, lookId: Int64, _ session: any LedgerSession) throws {
        let run = SQLValue.text(runId)
        let look = SQLValue.integer(lookId)
        try session.insertRows(
            into: "telemetry_tasks", columns: TelemetryTaskRow.columns,
            rows: write.tasks.map { [run, $0.eventKey.sqlValue, look] + $0.values }, ignoringConflicts: true)
        try write.spill?.copy(runId: runId, lookId: lookId, session)
        for key in write.unsampled {
            try session.execute(
                """
                UPDATE telemetry_tasks SET sampled = 0, input = NULL, output = NULL
                WHERE run_id = ? AND event_key = ? AND outcome = 'success' AND unauthorized = 0
                """,
                arguments: [runId, key])
        }
        try session.insertRows(
            into: "telemetry_feedback", columns: TelemetryFeedbackRow.columns,
            rows: write.feedback.map { [run, $0.eventKey.sqlValue, look] + $0.values }, ignoringConflicts: true)
        try session.insertRows(
            into: "telemetry_violations", columns: TelemetryViolationRow.columns,
            rows: write.violations.map { [run, $0.eventKey.sqlValue, look] + $0.values }, ignoringConflicts: true)
        try session.insertRows(
            into: "telemetry_shadow", columns: TelemetryShadowRow.columns,
            rows: write.shadow.map { [run, $0.eventKey.sqlValue, look] + $0.values }, ignoringConflicts: true)
        for (key, agrees) in write.shadowAgreements.sorted(by: { $0.key < $1.key }) {
            try session.execute(
                "UPDATE telemetry_shadow SET agrees = ? WHERE run_id = ? AND event_key = ?",
                arguments: [agrees, runId, key])
        }
        for cursor in write.cursors {
            try session.execute(
                """
                INSERT INTO telemetry_sources (run_id, source, identity, "offset", line, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (run_id, source) DO UPDATE SET identity = excluded.identity, "offset" = excluded."offset",
                    line = excluded.line, updated_at = excluded.updated_at
                """,
                arguments: [runId, cursor.source, cursor.identity, cursor.offset, cursor.line, write.look.createdAt])
        }
    }

    /// A stored look.
    package func look(id: Int64) throws(LedgerError) -> LookRow? {
        try read { session in
            try session.row("SELECT \(LookRow.Column.selectList()) FROM monitor_looks WHERE id = ?", arguments: [id])
                .map(LookRow.init)
        }
    }

    /// The looks of a run, oldest first.
    package func looks(runId: String) throws(LedgerError) -> [LookRow] {
        try read { session in
            try session.rows(
                "SELECT \(LookRow.Column.selectList()) FROM monitor_looks WHERE run_id = ? ORDER BY id",
                arguments: [runId]
            ).map(LookRow.init)
        }
    }
}

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
        try read { session in
            let order = "ORDER BY look_id, \(session.dialect.arrivalOrder)"
            // Content stays in the ledger: the look needs the measurements only.
            let taskColumns = TelemetryTaskRow.Column.allCases.map { column in
                column == .input || column == .output ? "NULL" : "\"\(column.name)\""
            }
            try session.forEachRow(
                "SELECT \(taskColumns.joined(separator: ", ")) FROM telemetry_tasks WHERE run_id = ? \(order)",
                values: [.text(runId)]
            ) { row in
                try body(.task(try TelemetryTaskRow(row: row)))
                return true
            }
            try session.forEachRow(
                "SELECT \(TelemetryFeedbackRow.Column.selectList()) FROM telemetry_feedback WHERE run_id = ? \(order)",
                values: [.text(runId)]
            ) { row in
                try body(.feedback(try TelemetryFeedbackRow(row: row)))
                return true
            }
            try session.forEachRow(
                "SELECT \(TelemetryViolationRow.Column.selectList()) FROM telemetry_violations WHERE run_id = ? \(order)",
                values: [.text(runId)]
            ) { row in
                try body(.violation(try TelemetryViolationRow(row: row)))
                return true
            }
            let shadowColumns = TelemetryShadowRow.Column.allCases.map { column in
                column == .output ? "NULL" : "\"\(column.name)\""
            }
            try session.forEachRow(
                "SELECT \(shadowColumns.joined(separator: ", ")) FROM telemetry_shadow WHERE run_id = ? \(order)",
                values: [.text(runId)]
            ) { row in
                try body(.shadow(try TelemetryShadowRow(row: row)))
                return true
            }
            var cursors: [String: TelemetryCursor] = [:]
            for row in try session.rows(
                "SELECT \(TelemetryCursor.Column.selectList()) FROM telemetry_sources WHERE run_id = ?",
                arguments: [runId])
            {
                let cursor = TelemetryCursor(
                    source: try row[TelemetryCursor.Column.source], identity: try row[TelemetryCursor.Column.identity],
                    offset: try row[TelemetryCursor.Column.offset], line: try row[TelemetryCursor.Column.line])
                cursors[cursor.source] = cursor
            }
            return cursors
        }
    }
}

extension TelemetryCursor {
    /// The columns of `telemetry_sources` a cursor reads.
    enum Column: Int, LedgerColumns {
        case source, identity, offset, line
    }
}

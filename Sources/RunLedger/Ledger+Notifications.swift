/// One delivery of a notification, as the ledger keeps it.
package struct NotificationRecord: Sendable, Equatable {
    package var runId: String
    /// `monitor` or `canary-deploy`.
    package var source: String
    package var event: String
    package var forced: Bool
    /// `<kind>#<index in the policy's notify list>`.
    package var target: String
    package var urlEnv: String
    package var idempotencyKey: String
    package var attempts: Int
    /// `delivered`, `failed`, or `not_configured` (the environment variable is not set).
    package var status: String
    package var httpStatus: Int?
    /// Why it failed, without the URL.
    package var error: String?
    package var createdAt: String

    /// The columns of `notifications` (without `id`), in the order the record reads them.
    enum Column: Int, LedgerColumns {
        case runId, source, event, forced, target, urlEnv, idempotencyKey, attempts, status, httpStatus, error
        case createdAt
    }

    /// Describes a delivery.
    package init(
        runId: String, source: String, event: String, forced: Bool, target: String, urlEnv: String,
        idempotencyKey: String, attempts: Int, status: String, httpStatus: Int?, error: String?, createdAt: String
    ) {
        self.runId = runId
        self.source = source
        self.event = event
        self.forced = forced
        self.target = target
        self.urlEnv = urlEnv
        self.idempotencyKey = idempotencyKey
        self.attempts = attempts
        self.status = status
        self.httpStatus = httpStatus
        self.error = error
        self.createdAt = createdAt
    }
}

extension Ledger {
    /// Records deliveries (after the decision or transition they tell of is committed), in one transaction.
    package func recordNotifications(_ records: [NotificationRecord]) throws(LedgerError) {
        guard !records.isEmpty else { return }
        try write { session in
            for record in records {
                try session.execute(
                    """
                    INSERT INTO notifications (run_id, source, event, forced, target, url_env, idempotency_key,
                        attempts, status, http_status, error, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    arguments: [
                        record.runId, record.source, record.event, record.forced, record.target, record.urlEnv,
                        record.idempotencyKey, record.attempts, record.status, record.httpStatus, record.error,
                        record.createdAt,
                    ])
            }
        }
    }

    /// The deliveries recorded for `runId`, oldest first.
    package func notifications(runId: String) throws(LedgerError) -> [NotificationRecord] {
        try read { session in
            typealias Column = NotificationRecord.Column
            return try session.rows(
                "SELECT \(Column.selectList()) FROM notifications WHERE run_id = ? ORDER BY id", arguments: [runId]
            ).map { row in
                NotificationRecord(
                    runId: try row[Column.runId], source: try row[Column.source], event: try row[Column.event],
                    forced: try row[Column.forced], target: try row[Column.target], urlEnv: try row[Column.urlEnv],
                    idempotencyKey: try row[Column.idempotencyKey], attempts: try row[Column.attempts],
                    status: try row[Column.status], httpStatus: try row[Column.httpStatus],
                    error: try row[Column.error],
                    createdAt: try row[Column.createdAt])
            }
        }
    }
}

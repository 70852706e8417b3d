import Crypto
import Foundation

/// What `ledger copy` did to one table or view.
package struct CopiedTable: Sendable, Equatable {
    /// The table's (or view's) name.
    package var name: String
    /// Its rows in the source.
    package var rows: Int
    /// The rows the copy added to the target (a view adds none).
    package var added: Int
}

extension Ledger {
    /// The tables a copy carries, parents before children, each with its key (the order rows are compared in).
    static let copiedTables: [(name: String, key: [String])] = [
        ("runs", ["id"]), ("stages", ["id"]), ("artifacts", ["id"]), ("benchmark_suites", ["sha256"]),
        ("gate_results", ["id"]), ("gate_metrics", ["gate_id", "name", "category"]), ("rollouts", ["run_id"]),
        ("rollout_transitions", ["id"]), ("monitor_looks", ["id"]), ("monitor_metrics", ["look_id", "name"]),
        ("telemetry_sources", ["run_id", "source"]), ("telemetry_tasks", ["run_id", "event_key"]),
        ("telemetry_feedback", ["run_id", "event_key"]), ("telemetry_violations", ["run_id", "event_key"]),
        ("telemetry_shadow", ["run_id", "event_key"]), ("exports", ["id"]), ("notifications", ["id"]),
        ("intake_records", ["id"]),
    ]
    /// The views a copy checks.
    static let copiedViews = ["run_summary", "gate_history", "rollout_history", "monitor_history"]

    /// Copies every row of this ledger into `target` (a SQLite file into PostgreSQL, or back for offline
    /// analysis), in one transaction of the target, and verifies it: afterwards every table and view holds
    /// the same rows on both, compared by count and by a SHA-256 of the rows in key order.
    ///
    /// The copy is idempotent: a row already in the target (an earlier copy) is kept. A target holding rows
    /// this ledger does not (another ledger's history, or a row changed since) is refused and left as it was.
    package func copy(to target: Ledger) throws(LedgerError) -> [CopiedTable] {
        try read { source in
            try target.write { destination in
                var report: [CopiedTable] = []
                for table in Self.copiedTables {
                    let columns = try Self.columns(of: table.name, source)
                    let before: Int = try destination.scalar("SELECT count(*) FROM \(table.name)") ?? 0
                    var rows: [[SQLValue]] = []
                    var count = 0
                    let order =
                        table.name.hasPrefix("telemetry_") && table.name != "telemetry_sources"
                            || table.name == "rollouts"
                        ? "ORDER BY \(source.dialect.arrivalOrder)" : "ORDER BY \(table.key.joined(separator: ", "))"
                    try source.forEachRow(
                        "SELECT \(columns.map { "\"\($0)\"" }.joined(separator: ", ")) FROM \(table.name) \(order)",
                        values: []
                    ) { row in
                        rows.append(row.values)
                        count += 1
                        if rows.count == 1_000 {
                            try destination.insertRows(
                                into: table.name, columns: columns, rows: rows, ignoringConflicts: true)
                            rows.removeAll(keepingCapacity: true)
                        }
                        return true
                    }
                    try destination.insertRows(into: table.name, columns: columns, rows: rows, ignoringConflicts: true)
                    let after: Int = try destination.scalar("SELECT count(*) FROM \(table.name)") ?? 0
                    let sourceDigest = try Self.digest(table.name, orderedBy: table.key, source)
                    let targetDigest = try Self.digest(table.name, orderedBy: table.key, destination)
                    guard after == count, sourceDigest == targetDigest else {
                        throw LedgerError.copyRefused(
                            table: table.name,
                            reason: after != count
                                ? "the target holds \(after - count) rows the source does not"
                                : "rows with the same key differ between the source and the target")
                    }
                    if destination.dialect == .postgres, table.key == ["id"], table.name != "runs" {
                        // Explicit ids leave the identity behind them: the next row must come after the copied ones.
                        try destination.execute(
                            "SELECT setval(pg_get_serial_sequence('\(table.name)', 'id'), max(id)) FROM \(table.name) HAVING max(id) IS NOT NULL"
                        )
                    }
                    report.append(CopiedTable(name: table.name, rows: count, added: after - before))
                }
                for view in Self.copiedViews {
                    let rows: Int = try source.scalar("SELECT count(*) FROM \(view)") ?? 0
                    guard
                        try Self.digest(view, orderedBy: nil, source) == Self.digest(view, orderedBy: nil, destination)
                    else {
                        throw LedgerError.copyRefused(table: view, reason: "the view gives other rows on the target")
                    }
                    report.append(CopiedTable(name: view, rows: rows, added: 0))
                }
                return report
            }
        }
    }

    /// A table's columns in their order, without PostgreSQL's `seq` (the target numbers its rows itself).
    static func columns(of table: String, _ session: any LedgerSession) throws -> [String] {
        let sql =
            switch session.dialect {
            case .sqlite: "SELECT name FROM pragma_table_info(?) ORDER BY cid"
            case .postgres:
                """
                SELECT column_name::text FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position
                """
            }
        return try session.rows(sql, arguments: [table]).map { try $0.scalar() as String }.filter { $0 != "seq" }
    }

    /// The SHA-256 of a table's or view's rows in `key` order (every column, NULLs first, for a view): each
    /// value tagged with its type, so that the same rows give the same digest on both stores.
    static func digest(_ relation: String, orderedBy key: [String]?, _ session: any LedgerSession) throws -> String {
        let columns = try columns(of: relation, session)
        let order = (key ?? columns).map { "\"\($0)\" NULLS FIRST" }.joined(separator: ", ")
        var hasher = SHA256()
        try session.forEachRow(
            "SELECT \(columns.map { "\"\($0)\"" }.joined(separator: ", ")) FROM \(relation) ORDER BY \(order)",
            values: []
        ) { row in
            for value in row.values {
                switch value {
                case .null: hasher.update(data: [0])
                case .integer(let integer):
                    hasher.update(data: [1] + withUnsafeBytes(of: integer.bigEndian, Array.init))
                case .real(let real):
                    // An integral double and an integer are the same number (SQLite stores 2.0 in a REAL as 2).
                    if real.rounded() == real, abs(real) < 9.0e15 {
                        hasher.update(data: [1] + withUnsafeBytes(of: Int64(real).bigEndian, Array.init))
                    } else {
                        hasher.update(data: [2] + withUnsafeBytes(of: real.bitPattern.bigEndian, Array.init))
                    }
                case .text(let text):
                    hasher.update(
                        data: [3] + withUnsafeBytes(of: UInt64(text.utf8.count).bigEndian, Array.init)
                            + Array(text.utf8))
                case .blob(let data):
                    hasher.update(
                        data: [4] + withUnsafeBytes(of: UInt64(data.count).bigEndian, Array.init) + Array(data))
                }
            }
            return true
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

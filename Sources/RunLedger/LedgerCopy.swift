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
        ("intake_records", ["id"]), ("intake_pending", ["id"]), ("intake_traces", ["trace_id", "part"]),
    ]
    /// The tables retention deletes from (`ledger prune`): a target may hold rows of them that the source no
    /// longer does, and a copy into it stays incremental.
    static let prunedTables: Set<String> = ["intake_records", "intake_pending", "intake_traces"]
    /// The views a copy checks.
    static let copiedViews = ["run_summary", "gate_history", "rollout_history", "monitor_history"]

    /// Copies every row of this ledger into `target` (a SQLite file into PostgreSQL, or back for offline
    /// analysis), in one transaction of the target, and verifies it: afterwards every table and view holds
    /// the same rows on both, compared by count and by a SHA-256 of the rows in key order.
    ///
    /// The copy is idempotent: a row already in the target (an earlier copy) is kept. A target holding rows
    /// this ledger does not (another ledger's history, or a row changed since) is refused and left as it was —
    /// except intake records this ledger has pruned since an earlier copy, which stay in the target. The id
    /// counters travel with the rows: a row the target numbers next comes after every id the source ever gave,
    /// pruned or not, so the runs' intake cursors stay valid on the target.
    package func copy(to target: Ledger) throws(LedgerError) -> [CopiedTable] {
        try read { source in
            try target.write { destination in
                var report: [CopiedTable] = []
                for table in Self.copiedTables {
                    let columns = try Self.columns(of: table.name, source)
                    let before: Int = try destination.scalar("SELECT count(*) FROM \(table.name)") ?? 0
                    var rows: [[SQLValue]] = []
                    var count = 0
                    let pruned = Self.prunedTables.contains(table.name)
                    let idColumn = columns.firstIndex(of: "id")
                    var sourceIds = Set<Int64>()
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
                        if pruned, let idColumn, case .integer(let id) = row.values[idColumn] { sourceIds.insert(id) }
                        if rows.count == 1_000 {
                            try destination.insertRows(
                                into: table.name, columns: columns, rows: rows, ignoringConflicts: true)
                            rows.removeAll(keepingCapacity: true)
                        }
                        return true
                    }
                    try destination.insertRows(into: table.name, columns: columns, rows: rows, ignoringConflicts: true)
                    let after: Int = try destination.scalar("SELECT count(*) FROM \(table.name)") ?? 0
                    // Of a pruned table, the target's rows the source still holds are compared.
                    let held: ((SQLRow) -> Bool)? =
                        pruned
                        ? { row in
                            guard let idColumn, case .integer(let id) = row.values[idColumn] else { return true }
                            return sourceIds.contains(id)
                        } : nil
                    let sourceDigest = try Self.digest(table.name, orderedBy: table.key, source)
                    let (targetDigest, compared) = try Self.digest(
                        table.name, orderedBy: table.key, destination, keeping: held)
                    guard compared == count, sourceDigest == targetDigest else {
                        throw LedgerError.copyRefused(
                            table: table.name,
                            reason: compared != count
                                ? "the target holds \(compared - count) rows the source does not"
                                : "rows with the same key differ between the source and the target")
                    }
                    if table.key == ["id"], table.name != "runs" {
                        try Self.carryIdCounter(of: table.name, from: source, to: destination)
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
        try digest(relation, orderedBy: key, session, keeping: nil).digest
    }

    /// The digest of the rows `keeping` keeps (all when `nil`), and how many it kept.
    static func digest(
        _ relation: String, orderedBy key: [String]?, _ session: any LedgerSession, keeping: ((SQLRow) -> Bool)?
    ) throws -> (digest: String, rows: Int) {
        let columns = try columns(of: relation, session)
        var kept = 0
        let order = (key ?? columns).map { "\"\($0)\" NULLS FIRST" }.joined(separator: ", ")
        var hasher = SHA256()
        try session.forEachRow(
            "SELECT \(columns.map { "\"\($0)\"" }.joined(separator: ", ")) FROM \(relation) ORDER BY \(order)",
            values: []
        ) { row in
            if let keeping, !keeping(row) { return true }
            kept += 1
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
        return (hasher.finalize().map { String(format: "%02x", $0) }.joined(), kept)
    }

    /// Raises the target's id counter of `table` to the source's (never lowers it): the next id the target
    /// gives comes after every id either gave, including ids of rows since deleted (SQLite's AUTOINCREMENT
    /// counter, PostgreSQL's sequence).
    static func carryIdCounter(
        of table: String, from source: any LedgerSession, to target: any LedgerSession
    ) throws {
        func counter(_ session: any LedgerSession) throws -> Int64 {
            let highest: Int64 = try session.scalar("SELECT coalesce(max(id), 0) FROM \(table)") ?? 0
            let given: Int64? =
                switch session.dialect {
                case .sqlite: try session.scalar("SELECT seq FROM sqlite_sequence WHERE name = ?", arguments: [table])
                case .postgres:
                    try session.scalar(
                        "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM "
                            + "\(try session.scalar("SELECT pg_get_serial_sequence(?, 'id')", arguments: [table]) ?? "")"
                    )
                }
            return max(highest, given ?? 0)
        }
        let next = max(try counter(source), try counter(target))
        guard next > 0 else { return }
        switch target.dialect {
        case .sqlite:
            // Only AUTOINCREMENT tables have a counter; the others number after their largest id.
            let counted: Int =
                try target.scalar(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ? AND sql LIKE '%AUTOINCREMENT%'",
                    arguments: [table]) ?? 0
            guard counted > 0 else { return }
            try target.execute("DELETE FROM sqlite_sequence WHERE name = ?", arguments: [table])
            try target.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", arguments: [table, next])
        case .postgres:
            try target.execute("SELECT setval(pg_get_serial_sequence(?, 'id'), ?)", arguments: [table, next])
        }
    }
}

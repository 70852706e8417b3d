import Foundation
import NIOCore
import PostgresNIO

/// A statement of the PostgreSQL store runs on its connection, inside the transaction the store opened.
struct PostgresSession: LedgerSession {
    let store: PostgresStore
    /// Whether ``insertRows(into:columns:rows:ignoringConflicts:)`` sends without waiting (appending to
    /// temporary tables, outside a transaction).
    var sending = false

    var dialect: SQLDialect { .postgres }

    func execute(_ sql: String, values: [SQLValue]) throws {
        _ = try store.run(store.placeholders(sql), values)
    }

    /// Runs each statement of `sql` in turn (the extended protocol takes one at a time).
    func executeScript(_ sql: String) throws {
        for statement in SQLScanner.statements(sql) { _ = try store.run(statement, []) }
    }

    func fetchAll(_ sql: String, values: [SQLValue]) throws -> [SQLRow] {
        try store.run(store.placeholders(sql), values)
    }

    /// Streams through a server-side cursor, a batch of rows at a time.
    func forEachRow(_ sql: String, values: [SQLValue], _ body: (SQLRow) throws -> Bool) throws {
        let cursor = store.nextCursorName()
        _ = try store.run("DECLARE \(cursor) NO SCROLL CURSOR FOR " + store.placeholders(sql), values)
        defer { _ = try? store.run("CLOSE \(cursor)", []) }
        while true {
            let rows = try store.run("FETCH FORWARD \(PostgresStore.batchRows) FROM \(cursor)", [])
            for row in rows {
                guard try body(row) else { return }
            }
            if rows.count < PostgresStore.batchRows { return }
        }
    }

    /// One statement whatever the number of rows: each column is bound as one array (in PostgreSQL's text
    /// form, cast to the column's type) and `unnest` turns the arrays back into rows. A statement of VALUES
    /// lists with a parameter per value cost PostgreSQL more to parse and bind than to insert.
    func insertRows(into table: String, columns: [String], rows: [[SQLValue]], ignoringConflicts: Bool) throws {
        guard !rows.isEmpty, !columns.isEmpty else { return }
        let (sql, arrays) = try insertStatement(
            into: table, columns: columns, rows: rows, ignoringConflicts: ignoringConflicts)
        if sending {
            store.send(sql, arrays)
        } else {
            _ = try store.run(sql, arrays)
        }
    }

    /// The same statement, returning the keys it inserted.
    func insertNewRows(into table: String, columns: [String], rows: [[SQLValue]], key: Int) throws -> [Bool] {
        guard !rows.isEmpty, !columns.isEmpty else { return [] }
        let (sql, arrays) = try insertStatement(into: table, columns: columns, rows: rows, ignoringConflicts: true)
        var inserted = Set<String>()
        for row in try store.run(sql + " RETURNING \"\(columns[key])\"", arrays) {
            inserted.insert(try row.scalar())
        }
        return rows.map { row in
            if case .text(let text) = row[key] { return inserted.contains(text) }
            return false
        }
    }

    /// `INSERT … SELECT * FROM unnest(…)` of `rows`, one array parameter per column.
    func insertStatement(into table: String, columns: [String], rows: [[SQLValue]], ignoringConflicts: Bool) throws
        -> (sql: String, arrays: [SQLValue])
    {
        let types = try store.columnTypes(table)
        var casts: [String] = []
        var arrays: [SQLValue] = []
        for (index, column) in columns.enumerated() {
            guard let type = types[column] else {
                throw LedgerError.database(reason: "\(table) has no column \(column)")
            }
            casts.append("$\(index + 1)::\(type)[]")
            var literal = "{"
            for (position, row) in rows.enumerated() {
                if position > 0 { literal += "," }
                Self.appendArrayElement(row[index], to: &literal)
            }
            literal += "}"
            arrays.append(.text(literal))
        }
        let sql = """
            INSERT INTO \(table) (\(columns.map { "\"\($0)\"" }.joined(separator: ", ")))
            SELECT * FROM unnest(\(casts.joined(separator: ", ")))\(ignoringConflicts ? " ON CONFLICT DO NOTHING" : "")
            """
        return (sql, arrays)
    }

    /// A value as an element of an array literal (quoted, with `\` and `"` escaped; bytes as `\x…`).
    static func appendArrayElement(_ value: SQLValue, to literal: inout String) {
        switch value {
        case .null: literal += "NULL"
        case .integer(let integer): literal += String(integer)
        case .real(let real): literal += "\(real)"
        case .text(let text):
            literal += "\""
            for character in text.unicodeScalars {
                if character == "\"" || character == "\\" { literal.unicodeScalars.append("\\") }
                literal.unicodeScalars.append(character)
            }
            literal += "\""
        case .blob(let data):
            literal += "\"\\\\x" + data.map { String(format: "%02x", $0) }.joined() + "\""
        }
    }

    func insertReturningID(_ sql: String, values: [SQLValue]) throws -> Int64 {
        let rows = try store.run(store.placeholders(sql + " RETURNING id"), values)
        guard let row = rows.first else { throw LedgerError.database(reason: "the insert returned no id") }
        return try row.scalar()
    }
}

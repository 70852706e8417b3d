/// The SQL a ledger statement is written in, and where the two stores differ.
package enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// The column that orders a table's rows as they were inserted, in the tables without an integer key
    /// (SQLite's `rowid`; a `seq` identity column the PostgreSQL schema adds to those tables).
    package var arrivalOrder: String {
        switch self {
        case .sqlite: "rowid"
        case .postgres: "seq"
        }
    }

    /// The schema of the connection's temporary tables.
    package var temporarySchema: String {
        switch self {
        case .sqlite: "temp"
        case .postgres: "pg_temp"
        }
    }

    /// A query of the names of the ledger's tables and views (in PostgreSQL, of the current schema).
    package var relationsQuery: String {
        switch self {
        case .sqlite:
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
        case .postgres:
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()"
        }
    }

    /// A query with one row when the table or view `?` exists (in PostgreSQL, in the current schema).
    package var relationExistsQuery: String {
        switch self {
        case .sqlite:
            "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?"
        case .postgres:
            "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
        }
    }
}

/// One connection of a ledger store inside a transaction the store opened: what the ledger's SQL runs on.
///
/// Statements are written once for both stores, with `?` placeholders and the SQL both accept
/// (`INSERT … ON CONFLICT DO NOTHING`, quoted identifiers); the dialect names what differs.
package protocol LedgerSession {
    /// The store's dialect.
    var dialect: SQLDialect { get }
    /// Runs one statement.
    func execute(_ sql: String, values: [SQLValue]) throws
    /// Runs several statements without arguments (a migration).
    func executeScript(_ sql: String) throws
    /// Every row of a query, read at once (for queries of a few rows).
    func fetchAll(_ sql: String, values: [SQLValue]) throws -> [SQLRow]
    /// Calls `body` with each row of a query in turn, holding one batch of rows at most; `body` returns
    /// `false` to stop.
    func forEachRow(_ sql: String, values: [SQLValue], _ body: (SQLRow) throws -> Bool) throws
    /// Runs an `INSERT` into a table with an integer `id` key and returns the new row's id.
    func insertReturningID(_ sql: String, values: [SQLValue]) throws -> Int64
    /// Inserts `rows` (each one value per column of `columns`) into `table`, in as few statements as the
    /// store allows; with `ignoringConflicts`, a row whose key is there already is skipped.
    func insertRows(into table: String, columns: [String], rows: [[SQLValue]], ignoringConflicts: Bool) throws
    /// Inserts the `rows` whose key (the text column at `key` of `columns`, unique in the table) is not there yet
    /// and returns, per row, whether it was inserted; the rows' keys must differ from one another.
    func insertNewRows(into table: String, columns: [String], rows: [[SQLValue]], key: Int) throws -> [Bool]
}

extension LedgerSession {
    /// Runs one statement.
    package func execute(_ sql: String, arguments: [(any SQLBindable)?] = []) throws {
        try execute(sql, values: arguments.sqlValues)
    }

    /// Every row of a query.
    package func rows(_ sql: String, arguments: [(any SQLBindable)?] = []) throws -> [SQLRow] {
        try fetchAll(sql, values: arguments.sqlValues)
    }

    /// Whether the table or view `name` exists.
    package func relationExists(_ name: String) throws -> Bool {
        try row(dialect.relationExistsQuery, arguments: [name]) != nil
    }

    /// The first row of a query, if any.
    package func row(_ sql: String, arguments: [(any SQLBindable)?] = []) throws -> SQLRow? {
        try fetchAll(sql, values: arguments.sqlValues).first
    }

    /// The first column of the first row of a query (`nil` when there is no row or it is NULL).
    package func scalar<Value: SQLDecodable>(_ sql: String, arguments: [(any SQLBindable)?] = []) throws -> Value? {
        let value: Value?? = try row(sql, arguments: arguments)?.scalar()
        return value ?? nil
    }

    /// Runs an `INSERT` into a table with an integer `id` key and returns the new row's id.
    package func insertReturningID(_ sql: String, arguments: [(any SQLBindable)?]) throws -> Int64 {
        try insertReturningID(sql, values: arguments.sqlValues)
    }

    /// Inserts `rows` into `table`; a row whose key is there is an error.
    package func insertRows(into table: String, columns: [String], rows: [[SQLValue]]) throws {
        try insertRows(into: table, columns: columns, rows: rows, ignoringConflicts: false)
    }
}

/// Where a ledger lives: a SQLite file or a PostgreSQL database, behind the one API of ``Ledger``.
///
/// A store opens and migrates its database, runs each write in one transaction that waits for every other
/// writer (SQLite's `BEGIN IMMEDIATE`; a transaction-scoped advisory lock in PostgreSQL), each read on a
/// consistent snapshot, and keeps one connection for the ledger's life (its temporary tables belong to it).
package protocol LedgerStore: Sendable {
    /// The store's dialect.
    var dialect: SQLDialect { get }
    /// Runs `body` in one write transaction, after every other writer; an error rolls everything back.
    func write<T>(_ body: (any LedgerSession) throws -> T) throws -> T
    /// Runs `body` on a consistent snapshot.
    func read<T>(_ body: (any LedgerSession) throws -> T) throws -> T
    /// Runs `body` in a transaction that writes only this connection's temporary tables (no writer waits).
    func temporary<T>(_ body: (any LedgerSession) throws -> T) throws -> T
    /// Runs `body`, which only appends to this connection's temporary tables: the store may send its inserts
    /// without waiting for each (the next statement waits for them and reports a failure).
    func appendTemporary(_ body: (any LedgerSession) throws -> Void) throws
    /// Runs `body` while no other process holds this ledger's turn lock.
    func withTurnLock<T>(_ body: () throws -> T) throws -> T
    /// The store's own integrity checks; empty when the database is sound.
    func integrityProblems() throws -> [String]
    /// A failure of this store in its own words (the database's message, not the driver's type).
    func describe(_ error: any Error) -> String
}

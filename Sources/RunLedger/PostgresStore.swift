import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization
import ToolContract
import ToolFiles

/// The shared ledger: a PostgreSQL database that CI jobs on many runners, several agents and the telemetry
/// intake reach over the network, with the same schema, migrations and statements as the SQLite file.
///
/// One connection serves the ledger's life (its temporary tables belong to it). A write is one transaction
/// that first takes a transaction-scoped advisory lock, so writers take turns exactly as SQLite's
/// `BEGIN IMMEDIATE` makes them: every write sees the state the previous one committed, no write can hit a
/// serialization failure, and a client killed mid-transaction leaves nothing (the server rolls it back).
/// Reads run on a repeatable-read snapshot; large results stream through a server-side cursor.
final class PostgresStore: LedgerStore {
    /// The advisory locks' first key ("ACNY"); the second names the lock.
    static let lockClass: Int32 = 0x4143_4E59
    enum Lock: Int32 {
        case migrations = 0
        case writes = 1
        case turns = 2
    }
    /// Rows fetched from a cursor at a time.
    static let batchRows = 2_048

    let connection: PostgresConnection
    let location: PostgresLocation
    let logger: Logger
    /// Statements with `?` placeholders translated to `$n`, by their text.
    private let translated = Mutex<[String: String]>([:])
    private let cursorCount = Atomic<Int>(0)
    /// Statements sent and not yet waited for (see ``send(_:_:)``).
    private let sent = Mutex<[EventLoopFuture<Void>]>([])
    /// Column types by table (see ``columnTypes(_:)``).
    private let types = Mutex<[String: [String: String]]>([:])

    var dialect: SQLDialect { .postgres }

    /// Connects to the database `location` names and migrates it (under an advisory lock, so that concurrent
    /// first runs are safe).
    static func open(location: PostgresLocation, logger: Logger?) throws(LedgerError) -> PostgresStore {
        let store = try PostgresStore(connectingTo: location, logger: logger)
        try store.migrate()
        return store
    }

    /// The ledger in the database `location` names, migrated, or `nil` when its first migration was never
    /// applied there (nothing is then written).
    static func openExisting(location: PostgresLocation, logger: Logger?) throws(LedgerError) -> PostgresStore? {
        let store = try PostgresStore(connectingTo: location, logger: logger)
        do {
            guard try store.read({ try LedgerMigrations.applied($0).first == LedgerMigrations.all[0].identifier })
            else { return nil }
        } catch {
            throw Self.failure(error, location: location)
        }
        try store.migrate()
        return store
    }

    /// Runs the pending migrations under the migrations lock, after making sure the schema holds a ledger.
    private func migrate() throws(LedgerError) {
        do {
            try withSessionLock(.migrations) {
                if let reason = try foreignContent() {
                    throw LedgerError.notALedger(path: location.description, reason: reason + " in its schema")
                }
                try LedgerMigrations.migrate(self)
            }
        } catch {
            throw Self.failure(error, location: location)
        }
    }

    private init(connectingTo location: PostgresLocation, logger: Logger?) throws(LedgerError) {
        self.location = location
        self.logger = logger ?? Logger(label: "agent-canary.ledger", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            var configuration: PostgresConnection.Configuration
            if location.isUnixSocket {
                configuration = .init(
                    unixSocketPath: location.endpoint, username: location.user, password: location.password,
                    database: location.database)
            } else {
                configuration = .init(
                    host: location.host, port: location.port, username: location.user, password: location.password,
                    database: location.database, tls: try Self.tls(location))
            }
            configuration.options.connectTimeout = .seconds(Int64(location.connectTimeout))
            configuration.options.additionalStartupParameters = [("application_name", location.applicationName)]
            connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1,
                logger: self.logger
            ).wait()
        } catch {
            throw Self.connectionFailure(error, location: location)
        }
        do {
            // Waits for a lock at most as long as SQLite's busy timeout; the turn lock waits without limit.
            _ = try run("SET lock_timeout = '60s'", [])
        } catch {
            throw Self.failure(error, location: location)
        }
    }

    /// Why the database is not a ledger (see ``LedgerMigrations/foreignContent(relations:appliedFirst:)``).
    private func foreignContent() throws -> String? {
        try read { session in
            let relations = Set(try session.rows(SQLDialect.postgres.relationsQuery).map { try $0.scalar() as String })
            let applied = try LedgerMigrations.applied(session)
            return LedgerMigrations.foreignContent(
                relations: relations, appliedFirst: applied.first == LedgerMigrations.all[0].identifier)
        }
    }

    /// A failure after connecting, as a ``LedgerError``.
    private static func failure(_ error: any Error, location: PostgresLocation) -> LedgerError {
        if let error = error as? LedgerError { return error }
        if let error = error as? PSQLError, error.code != .server {
            return connectionFailure(error, location: location)
        }
        return .cannotOpen(path: location.description, reason: describe(error))
    }

    deinit {
        try? finishSent()
        try? connection.close().wait()
    }

    /// The isolation level is named, so that a database's `default_transaction_isolation` cannot change it.
    /// Behind the lock no write can conflict with another; should the server still report a serialization
    /// failure or a deadlock (SQLSTATE 40001, 40P01), the transaction is rolled back and run again, three
    /// times at most.
    func write<T>(_ body: (any LedgerSession) throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try transaction("BEGIN ISOLATION LEVEL READ COMMITTED") {
                    _ = try run(
                        "SELECT pg_advisory_xact_lock($1::int, $2::int)",
                        [.integer(Int64(Self.lockClass)), .integer(1)])
                    let result = try body(PostgresSession(store: self))
                    Failpoint.hit("ledger.before-commit")
                    return result
                }
            } catch let error as PSQLError
                where attempt < 3 && ["40001", "40P01"].contains(error.serverInfo?[.sqlState])
            {
                attempt += 1
                Thread.sleep(forTimeInterval: 0.05 * Double(attempt))
            }
        }
    }

    func read<T>(_ body: (any LedgerSession) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { try body(PostgresSession(store: self)) }
    }

    func temporary<T>(_ body: (any LedgerSession) throws -> T) throws -> T {
        try transaction("BEGIN") { try body(PostgresSession(store: self)) }
    }

    /// Appends to temporary tables outside a transaction, sending each batch without waiting (an append
    /// that fails leaves rows nobody reads: the look fails, and its temporary tables go with the connection).
    func appendTemporary(_ body: (any LedgerSession) throws -> Void) throws {
        try body(PostgresSession(store: self, sending: true))
    }

    /// The turn lock is a session-level advisory lock, released when `body` ends or the connection drops.
    func withTurnLock<T>(_ body: () throws -> T) throws -> T {
        try withSessionLock(.turns, waitingWithoutLimit: true, body)
    }

    // MARK: Transactions and statements

    /// Runs `body` between `begin` and `COMMIT`; an error rolls back.
    private func transaction<T>(_ begin: String, _ body: () throws -> T) throws -> T {
        _ = try run(begin, [])
        do {
            let result = try body()
            _ = try run("COMMIT", [])
            return result
        } catch {
            _ = try? run("ROLLBACK", [])
            throw error
        }
    }

    /// Runs `body` holding a session-level advisory lock.
    private func withSessionLock<T>(_ lock: Lock, waitingWithoutLimit: Bool = false, _ body: () throws -> T) throws
        -> T
    {
        let keys: [SQLValue] = [.integer(Int64(Self.lockClass)), .integer(Int64(lock.rawValue))]
        if waitingWithoutLimit { _ = try run("SET lock_timeout = 0", []) }
        do {
            _ = try run("SELECT pg_advisory_lock($1::int, $2::int)", keys)
        } catch {
            if waitingWithoutLimit { _ = try? run("SET lock_timeout = '60s'", []) }
            throw error
        }
        if waitingWithoutLimit { _ = try run("SET lock_timeout = '60s'", []) }
        defer { _ = try? run("SELECT pg_advisory_unlock($1::int, $2::int)", keys) }
        return try body()
    }

    /// Runs one statement (with `$n` placeholders) and returns its rows.
    func run(_ sql: String, _ values: [SQLValue]) throws -> [SQLRow] {
        try finishSent()
        // A query on a connection the server closed (a restart, a failover) is never answered: refuse it.
        guard !connection.isClosed else {
            throw LedgerError.unavailable(endpoint: location.endpoint, reason: "the server closed the connection")
        }
        let result = try connection.query(Self.query(sql, values), logger: logger).wait()
        return try result.rows.map(Self.row)
    }

    /// Sends a statement without waiting for it: the connection runs statements in order, so the next
    /// ``run(_:_:)`` sees its effect, and reports its failure (see ``finishSent()``). While the server
    /// inserts a batch of the monitor's rows, the monitor reads the next.
    func send(_ sql: String, _ values: [SQLValue]) {
        let future = connection.query(Self.query(sql, values), logger: logger).map { _ in () }
        sent.withLock { $0.append(future) }
    }

    /// Waits for every statement ``send(_:_:)`` sent; throws the first failure.
    func finishSent() throws {
        let futures = sent.withLock { futures in
            defer { futures.removeAll() }
            return futures
        }
        var failure: (any Error)?
        for future in futures {
            do { try future.wait() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    static func query(_ sql: String, _ values: [SQLValue]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let integer): bindings.append(integer)
            case .real(let real): bindings.append(real)
            case .text(let text): bindings.append(text)
            case .blob(let data): bindings.append(ByteBuffer(bytes: data))
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// `sql` with its `?` placeholders numbered (`$1`, `$2`, …), outside quotes and comments; cached by text.
    func placeholders(_ sql: String) -> String {
        if let known = translated.withLock({ $0[sql] }) { return known }
        let result = SQLScanner.numberingPlaceholders(sql)
        translated.withLock { $0[sql] = result }
        return result
    }

    /// The SQL types of `table`'s columns (a temporary table's too), by name, read once per table.
    func columnTypes(_ table: String) throws -> [String: String] {
        if let known = types.withLock({ $0[table] }) { return known }
        let rows = try run(
            """
            SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute
            WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped
            """, [.text(table)])
        var result: [String: String] = [:]
        for row in rows { result[try row.value(at: 0, named: "attname")] = try row.value(at: 1, named: "format_type") }
        types.withLock { $0[table] = result }
        return result
    }

    func nextCursorName() -> String {
        "agent_canary_cursor_\(cursorCount.add(1, ordering: .relaxed).newValue)"
    }

    /// A result row as the ledger reads it: integers, doubles, text and bytes; booleans as 0 and 1.
    static func row(_ row: PostgresRow) throws -> SQLRow {
        var values: [SQLValue] = []
        values.reserveCapacity(row.count)
        for cell in row {
            guard cell.bytes != nil else {
                values.append(.null)
                continue
            }
            switch cell.dataType {
            case .int2, .int4, .int8, .oid: values.append(.integer(try cell.decode(Int64.self)))
            case .float4, .float8: values.append(.real(try cell.decode(Double.self)))
            case .bool: values.append(.integer(try cell.decode(Bool.self) ? 1 : 0))
            case .bytea: values.append(.blob(try cell.decode(Data.self)))
            default: values.append(.text(try cell.decode(String.self)))
            }
        }
        return SQLRow(values: values)
    }
}

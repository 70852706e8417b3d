import Foundation
import GRDB
import GRDBSQLite
import ToolContract
import ToolFiles

/// The embedded ledger: one SQLite file (DESIGN.md, "The run ledger"), opened in WAL mode with a busy timeout
/// and foreign keys on, so several CI jobs on one machine can share it and a crash leaves it as before the write.
final class SQLiteStore: LedgerStore {
    let queue: DatabaseQueue
    /// The file's path (`:memory:` for a private in-memory ledger).
    let path: String

    var dialect: SQLDialect { .sqlite }

    /// Opens (creating when missing, with its directory) the ledger file at `path` and migrates it.
    init(path: String) throws(LedgerError) {
        let lockPath = path + ".lock"
        let lockExisted = FileManager.default.fileExists(atPath: lockPath)
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var configuration = Configuration()
            // WAL is set here rather than with `journalMode = .wal`: GRDB's WAL setup creates and drops a table
            // on every open whose WAL file is absent, which would change the file of a ledger that a refused
            // command only read. The journal mode persists in the file, so an existing ledger is not written.
            configuration.prepareDatabase { db in
                // Before anything is written (even the journal mode): a database of another application is
                // refused, not migrated into.
                let session = SQLiteSession(db: db)
                let relations = Set(
                    try session.rows(SQLDialect.sqlite.relationsQuery).map { try $0.scalar() as String })
                let applied = try LedgerMigrations.applied(session)
                if let reason = LedgerMigrations.foreignContent(
                    relations: relations, appliedFirst: applied.first == LedgerMigrations.all[0].identifier)
                {
                    throw LedgerError.notALedger(path: path, reason: reason)
                }
                if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                    let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                    guard mode == "wal" else {
                        throw LedgerError.cannotOpen(path: path, reason: "WAL mode unavailable")
                    }
                }
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            configuration.busyMode = .timeout(60)
            configuration.foreignKeysEnabled = true
            configuration.label = "agent-canary-ledger"
            // Opening (which may switch a new file to WAL) and migrating happen under one file lock: when
            // several processes create the same ledger at once, one sets it up while the others wait, then
            // find it ready. A ledger that is up to date is left byte for byte as it was.
            self.queue = try Self.withFileLock(lockPath) {
                let queue = try DatabaseQueue(path: path, configuration: configuration)
                try LedgerMigrations.migrate(SQLiteStore(queue: queue, path: path))
                return queue
            }
            self.path = path
        } catch let error as LedgerError {
            // A refused file gets no lock file beside it either.
            if case .notALedger = error, !lockExisted { unlink(lockPath) }
            throw error
        } catch {
            throw .cannotOpen(path: path, reason: Self.describe(error))
        }
    }

    /// A private in-memory ledger, migrated.
    static func inMemory() throws(LedgerError) -> SQLiteStore {
        do {
            let store = SQLiteStore(queue: try DatabaseQueue(), path: ":memory:")
            try LedgerMigrations.migrate(store)
            return store
        } catch {
            throw .cannotOpen(path: ":memory:", reason: describe(error))
        }
    }

    private init(queue: DatabaseQueue, path: String) {
        self.queue = queue
        self.path = path
    }

    func write<T>(_ body: (any LedgerSession) throws -> T) throws -> T {
        try queue.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(SQLiteSession(db: db))
                Failpoint.hit("ledger.before-commit")
                return .commit
            }
            guard let result else { throw LedgerError.database(reason: "the transaction produced no result") }
            return result
        }
    }

    func read<T>(_ body: (any LedgerSession) throws -> T) throws -> T {
        try queue.read { db in try body(SQLiteSession(db: db)) }
    }

    func temporary<T>(_ body: (any LedgerSession) throws -> T) throws -> T {
        try queue.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.deferred) {
                result = try body(SQLiteSession(db: db))
                return .commit
            }
            guard let result else { throw LedgerError.database(reason: "the transaction produced no result") }
            return result
        }
    }

    func appendTemporary(_ body: (any LedgerSession) throws -> Void) throws {
        try temporary(body)
    }

    /// Lets this connection's commits checkpoint the WAL only past 8,000 pages rather than 1,000
    /// (`wal_autocheckpoint`): another connection checkpoints it (see ``Ledger/separateCheckpoints()``).
    func deferAutomaticCheckpoints() throws {
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 8000") }
    }

    /// A PASSIVE checkpoint of the WAL: its frames, and how many of them are now in the file.
    func checkpoint() throws -> (frames: Int, copied: Int) {
        try queue.writeWithoutTransaction { db in
            let result = try db.checkpoint(.passive)
            return (result.walFrameCount, result.checkpointedFrameCount)
        }
    }

    /// The turn lock is an `flock(2)` on the lock file beside the ledger, which exists beside every ledger.
    func withTurnLock<T>(_ body: () throws -> T) throws -> T {
        guard path != ":memory:", !path.isEmpty else { return try body() }
        return try Self.withFileLock(path + ".lock", body)
    }

    /// `PRAGMA integrity_check` and `PRAGMA foreign_key_check`.
    func integrityProblems() throws -> [String] {
        try queue.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            let foreignKeys = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { row in
                "foreign key violation in \(row[0] as String? ?? "?") row \(row[1] as Int64? ?? 0)"
            }
            return integrity + foreignKeys
        }
    }

    /// Runs `body` holding an exclusive `flock(2)` on `lockPath`.
    ///
    /// Several processes may open a new ledger at once: `PRAGMA journal_mode = WAL` does not wait on the busy
    /// handler, so without this lock a second process could see a half-made ledger.
    static func withFileLock<T>(_ lockPath: String, _ body: () throws -> T) throws -> T {
        let descriptor = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LedgerError.cannotOpen(path: lockPath, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw LedgerError.cannotOpen(path: lockPath, reason: String(cString: strerror(errno)))
            }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    func describe(_ error: any Error) -> String { Self.describe(error) }

    /// A failure's message: SQLite's own for a database error.
    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? error.description }
        return String(describing: error)
    }
}

/// A statement of the SQLite store runs on GRDB's connection; statements are prepared once and cached.
struct SQLiteSession: LedgerSession {
    let db: Database

    var dialect: SQLDialect { .sqlite }

    func execute(_ sql: String, values: [SQLValue]) throws {
        try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(values))
    }

    func executeScript(_ sql: String) throws {
        try db.execute(sql: sql)
    }

    func fetchAll(_ sql: String, values: [SQLValue]) throws -> [SQLRow] {
        var rows: [SQLRow] = []
        try forEachRow(sql, values: values) { row in
            rows.append(row)
            return true
        }
        return rows
    }

    func forEachRow(_ sql: String, values: [SQLValue], _ body: (SQLRow) throws -> Bool) throws {
        let statement = try db.cachedStatement(sql: sql)
        let cursor = try Row.fetchCursor(statement, arguments: Self.arguments(values))
        let width = statement.columnCount
        while let row = try cursor.next() {
            var values: [SQLValue] = []
            values.reserveCapacity(width)
            for index in 0..<width {
                switch (row[index] as DatabaseValue).storage {
                case .null: values.append(.null)
                case .int64(let value): values.append(.integer(value))
                case .double(let value): values.append(.real(value))
                case .string(let value): values.append(.text(value))
                case .blob(let value): values.append(.blob(value))
                }
            }
            guard try body(SQLRow(values: values)) else { return }
        }
    }

    func insertReturningID(_ sql: String, values: [SQLValue]) throws -> Int64 {
        try execute(sql, values: values)
        return db.lastInsertedRowID
    }

    /// One prepared single-row statement, run per row: SQLite binds a row faster than it parses a statement
    /// of many VALUES lists.
    func insertRows(into table: String, columns: [String], rows: [[SQLValue]], ignoringConflicts: Bool) throws {
        guard !rows.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: "INSERT INTO \(table) (\(columns.map { "\"\($0)\"" }.joined(separator: ", "))) VALUES ("
                + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
                + (ignoringConflicts ? " ON CONFLICT DO NOTHING" : ""))
        for row in rows { try step(statement, row) }
    }

    /// One prepared statement per row, and SQLite's count of the rows it changed.
    func insertNewRows(into table: String, columns: [String], rows: [[SQLValue]], key: Int) throws -> [Bool] {
        guard !rows.isEmpty else { return [] }
        let statement = try db.cachedStatement(
            sql: "INSERT INTO \(table) (\(columns.map { "\"\($0)\"" }.joined(separator: ", "))) VALUES ("
                + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ") ON CONFLICT DO NOTHING")
        return try rows.map { row in
            try step(statement, row)
            return sqlite3_changes(db.sqliteConnection) > 0
        }
    }

    /// Binds `row` to the statement (one value per parameter) and runs it to its end, with SQLite's own calls:
    /// GRDB's `StatementArguments` cost more than the insert itself on the intake's hot path (perf).
    func step(_ statement: Statement, _ row: [SQLValue]) throws {
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        for (offset, value) in row.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(handle, index)
            case .integer(let integer): code = sqlite3_bind_int64(handle, index, integer)
            case .real(let real): code = sqlite3_bind_double(handle, index, real)
            case .text(var text):
                code = text.withUTF8 { bytes in
                    // An empty buffer may have no address, which SQLite would bind as NULL.
                    guard let base = bytes.baseAddress else {
                        return "".withCString { sqlite3_bind_text(handle, index, $0, 0, Self.transient) }
                    }
                    return sqlite3_bind_text(
                        handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count),
                        Self.transient)
                }
            case .blob(let data):
                code =
                    data.isEmpty
                    ? sqlite3_bind_zeroblob(handle, index, 0)
                    : data.withUnsafeBytes {
                        sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), Self.transient)
                    }
            }
            guard code == SQLITE_OK else { throw failure(code, statement) }
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else { throw failure(code, statement) }
    }

    /// SQLite's `SQLITE_TRANSIENT`: it copies a bound value before the call returns.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// The error SQLite reports for `code`, as GRDB would throw it.
    func failure(_ code: Int32, _ statement: Statement) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code),
            message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
    }

    /// The values as GRDB binds them, without boxing each in an existential.
    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(
            values.map { value -> DatabaseValue in
                switch value {
                case .null: .null
                case .integer(let integer): integer.databaseValue
                case .real(let real): real.databaseValue
                case .text(let text): text.databaseValue
                case .blob(let data): data.databaseValue
                }
            })
    }
}

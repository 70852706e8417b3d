import Artifacts
import Foundation
import GRDB
import Logging

/// The run ledger: one SQLite file shared by the four tools (DESIGN.md, "The run ledger").
///
/// The ledger owns every SQL statement of the project. It opens the file in WAL mode with a busy timeout
/// and foreign keys on, runs the append-only migrations, and makes every write one immediate transaction,
/// so several CI jobs can share a file and a crash leaves it as before the write.
package struct Ledger: Sendable {
    /// The default ledger path, relative to the working directory.
    package static let defaultPath = ".agent-canary/ledger.sqlite"
    /// The environment variable that names the ledger when `--ledger` is not given.
    package static let environmentVariable = "AGENT_CANARY_LEDGER"

    let writer: any DatabaseWriter
    let logger: Logger?

    /// The ledger path a tool uses: the flag, else `AGENT_CANARY_LEDGER`, else the default.
    package static func resolvePath(flag: String?, environment: [String: String]) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let path = environment[environmentVariable], !path.isEmpty { return path }
        return defaultPath
    }

    /// Opens (creating when missing, with its directory) the ledger at `path` and migrates it.
    package init(path: String, logger: Logger? = nil) throws(LedgerError) {
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
                if let reason = try Self.foreignContent(db) { throw LedgerError.notALedger(path: path, reason: reason) }
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
            // find it ready. Migrating rewrites the schema even when nothing is pending, so it runs only when
            // migrations are pending, and a ledger that is up to date is left byte for byte as it was.
            let migrator = LedgerMigrations.migrator
            let queue = try Self.withFileLock(lockPath) {
                let queue = try DatabaseQueue(path: path, configuration: configuration)
                if try !queue.read({ try migrator.hasCompletedMigrations($0) }) {
                    try migrator.migrate(queue)
                }
                return queue
            }
            self.writer = queue
            self.logger = logger
        } catch let error as LedgerError {
            // A refused file gets no lock file beside it either.
            if case .notALedger = error, !lockExisted { unlink(lockPath) }
            throw error
        } catch {
            throw .cannotOpen(path: path, reason: Self.describe(error))
        }
    }

    /// Why the open database is not an AgentCanary ledger, or `nil` when it is one (or is empty): a ledger's
    /// GRDB migration table records the ledger's first migration (a newer release may have added more).
    private static func foreignContent(_ db: Database) throws -> String? {
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")
        guard !tables.isEmpty else { return nil }
        let first = LedgerMigrations.migrator.migrations.first ?? ""
        if tables.contains("grdb_migrations"),
            try Bool.fetchOne(
                db, sql: "SELECT count(*) > 0 FROM grdb_migrations WHERE identifier = ?", arguments: [first])
                == true
        {
            return nil
        }
        return "it holds the tables \(tables.sorted().prefix(5).joined(separator: ", ")) and no record of the "
            + "ledger's migration \(first)"
    }

    /// Runs `body` while no other process holds this ledger's lock (an `flock(2)` on the file beside it).
    ///
    /// Commands that read the ledger, act, then record what they did take it across all three, so that
    /// concurrent ones take turns and each starts from what the previous one left: a rollout command (the
    /// state, the configuration, the transition) and an incremental export (the watermark, the dataset, the
    /// new watermark). ``recordTransition(_:state:stage:outputs:retryOf:newRun:)`` and
    /// ``recordExport(_:after:runs:stage:outputs:)`` still refuse a record that does not start from the
    /// stored state, should the lock ever be bypassed.
    package func withTurnLock<T>(_ body: () throws -> T) throws -> T {
        guard let path = (writer as? DatabaseQueue)?.path, path != ":memory:", !path.isEmpty else { return try body() }
        // The lock file the ledger's creation uses: it exists beside every ledger, so taking it adds no file.
        return try Self.withFileLock(path + ".lock", body)
    }

    /// A private in-memory ledger, for tests.
    package static func inMemory() throws(LedgerError) -> Ledger {
        do {
            let queue = try DatabaseQueue()
            try LedgerMigrations.migrator.migrate(queue)
            return Ledger(writer: queue, logger: nil)
        } catch {
            throw .cannotOpen(path: ":memory:", reason: describe(error))
        }
    }

    private init(writer: any DatabaseWriter, logger: Logger?) {
        self.writer = writer
        self.logger = logger
    }

    /// Runs `body` holding an exclusive `flock(2)` on `lockPath`.
    ///
    /// Several processes may open a new ledger at once: GRDB's migrator reads the applied migrations before
    /// it takes SQLite's write lock, and `PRAGMA journal_mode = WAL` does not wait on the busy handler, so
    /// without this lock a second process could see a half-made ledger.
    private static func withFileLock<T>(_ lockPath: String, _ body: () throws -> T) throws -> T {
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

    /// The names of the migrations applied to this ledger, oldest first.
    package func appliedMigrations() throws(LedgerError) -> [String] {
        try read { db in try LedgerMigrations.migrator.appliedMigrations(db) }
    }

    /// Runs `PRAGMA integrity_check` and `PRAGMA foreign_key_check`; an empty result means the file is sound.
    package func integrityProblems() throws(LedgerError) -> [String] {
        try read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            let foreignKeys = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { row in
                "foreign key violation in \(row[0] as String? ?? "?") row \(row[1] as Int64? ?? 0)"
            }
            return integrity + foreignKeys
        }
    }

    /// The run with `id`, if any.
    package func run(id: String) throws(LedgerError) -> RunRecord? {
        try read { db in try RunRecord.fetchOne(db, key: id) }
    }

    /// Runs `body` in one immediate write transaction; an error rolls everything back.
    func write<T>(_ body: @escaping (Database) throws -> T) throws(LedgerError) -> T {
        do {
            return try writer.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    Failpoint.hit("ledger.before-commit")
                    return .commit
                }
                guard let result else { throw LedgerError.database(reason: "the transaction produced no result") }
                return result
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw .database(reason: Self.describe(error))
        }
    }

    /// Runs `body` with read access.
    func read<T>(_ body: @escaping (Database) throws -> T) throws(LedgerError) -> T {
        do {
            return try writer.read(body)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw .database(reason: Self.describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? error.description
        }
        return String(describing: error)
    }
}

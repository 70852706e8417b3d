import Foundation
import Logging

/// The run ledger shared by the four tools (DESIGN.md, "The run ledger"): a SQLite file, the embedded
/// default, or a PostgreSQL database for pipelines on many runners, behind this one API.
///
/// The ledger owns every SQL statement of the project; the statements are the same on both stores (see
/// ``LedgerSession``). It runs the append-only migrations when it opens, and makes every write one
/// transaction that waits for the others, so several CI jobs can share a ledger and a crash leaves it as
/// before the write.
package struct Ledger: Sendable {
    /// The default ledger path, relative to the working directory.
    package static let defaultPath = ".agent-canary/ledger.sqlite"
    /// The environment variable that names the ledger when `--ledger` is not given.
    package static let environmentVariable = "AGENT_CANARY_LEDGER"

    let store: any LedgerStore
    let logger: Logger?

    /// The ledger a tool uses: the flag, else `AGENT_CANARY_LEDGER`, else the default.
    package static func resolvePath(flag: String?, environment: [String: String]) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let path = environment[environmentVariable], !path.isEmpty { return path }
        return defaultPath
    }

    /// `location` as messages print it: a PostgreSQL URL with its password masked, a path as it is.
    package static func displayName(_ location: String) -> String {
        PostgresLocation.isURL(location) ? PostgresLocation.maskingPasswords(in: location) : location
    }

    /// Opens the ledger at `location` — a path (created when missing, with its directory) or a
    /// `postgresql://` URL — and migrates it.
    package init(path location: String, logger: Logger? = nil) throws(LedgerError) {
        if PostgresLocation.isURL(location) {
            let parsed = try PostgresLocation(url: location, environment: ProcessInfo.processInfo.environment)
            store = try PostgresStore.open(location: parsed, logger: logger)
        } else {
            try Self.refuseOtherSchemes(location)
            store = try SQLiteStore(path: location)
        }
        self.logger = logger
    }

    /// The ledger at `location`, migrated, or `nil` when there is none: no file, or a PostgreSQL database the
    /// ledger's first migration was never applied to (a server that cannot be reached is an error, not a missing
    /// ledger). Nothing is created.
    package static func openExisting(at location: String, logger: Logger? = nil) throws(LedgerError) -> Ledger? {
        guard PostgresLocation.isURL(location) else {
            try refuseOtherSchemes(location)
            guard FileManager.default.fileExists(atPath: location) else { return nil }
            return try Ledger(path: location, logger: logger)
        }
        let parsed = try PostgresLocation(url: location, environment: ProcessInfo.processInfo.environment)
        return try PostgresStore.openExisting(location: parsed, logger: logger).map {
            Ledger(store: $0, logger: logger)
        }
    }

    /// The ledger at `location` for a command that only reads it: ``LedgerError/missing(location:)`` (exit 66)
    /// when there is none, and nothing is created.
    package static func existing(at location: String, logger: Logger? = nil) throws(LedgerError) -> Ledger {
        guard let ledger = try openExisting(at: location, logger: logger) else {
            throw .missing(location: displayName(location))
        }
        return ledger
    }

    /// The same ledger on a new connection, for a service whose PostgreSQL connection was lost (the server
    /// restarted, a failover); `nil` for a SQLite file, which has no connection to lose.
    package func reconnected() throws(LedgerError) -> Ledger? {
        guard let postgres = store as? PostgresStore else { return nil }
        return Ledger(store: try PostgresStore.open(location: postgres.location, logger: logger), logger: logger)
    }

    /// The bytes free for an unprivileged writer on the file system of a SQLite ledger (its directory's, where
    /// the WAL grows too); `nil` for PostgreSQL, whose server keeps its own disk.
    package func freeBytes() -> Int? {
        guard let sqlite = store as? SQLiteStore, sqlite.path != ":memory:" else { return nil }
        var info = statvfs()
        let directory = (sqlite.path as NSString).deletingLastPathComponent
        guard statvfs(directory.isEmpty ? "." : directory, &info) == 0 else { return nil }
        return Int(info.f_bavail) * Int(info.f_frsize)
    }

    /// Commits a write of 64 KiB: whether the ledger takes writes now (a readiness probe).
    package func checkWrites() throws(LedgerError) {
        // A real write, not an empty transaction: an empty one commits on a full disk. 64 KiB go into the
        // migrations table and out again in the same transaction, so no reader ever sees the row, but the
        // commit has to write its pages (SQLite's WAL, PostgreSQL's WAL) as an intake commit does.
        let probe = "readiness-probe:" + String(repeating: "x", count: 64 << 10)
        try write { session in
            try session.execute(
                "INSERT INTO \(LedgerMigrations.table) (identifier) VALUES (?)", arguments: [probe])
            try session.execute("DELETE FROM \(LedgerMigrations.table) WHERE identifier = ?", arguments: [probe])
        }
    }

    /// Refuses a URL of another scheme (`mysql://…`) rather than taking it for a file name, and names only the
    /// scheme, never the rest (a password).
    static func refuseOtherSchemes(_ location: String) throws(LedgerError) {
        if let scheme = location.range(of: "://"), !location[..<scheme.lowerBound].contains("/") {
            throw .invalidLocation(
                reason: "'\(location[..<scheme.lowerBound])://' is not a ledger: name a file or a postgresql:// URL")
        }
    }

    /// A private in-memory ledger, for tests.
    package static func inMemory() throws(LedgerError) -> Ledger {
        Ledger(store: try SQLiteStore.inMemory(), logger: nil)
    }

    private init(store: any LedgerStore, logger: Logger?) {
        self.store = store
        self.logger = logger
    }

    /// Runs `body` while no other process holds this ledger's turn lock (an `flock(2)` on the file beside a
    /// SQLite ledger; a session-level advisory lock in PostgreSQL).
    ///
    /// Commands that read the ledger, act, then record what they did take it across all three, so that
    /// concurrent ones take turns and each starts from what the previous one left: a rollout command (the
    /// state, the configuration, the transition) and an incremental export (the watermark, the dataset, the
    /// new watermark). ``recordTransition(_:state:stage:outputs:retryOf:newRun:)`` and
    /// ``recordExport(_:after:runs:stage:outputs:)`` still refuse a record that does not start from the
    /// stored state, should the lock ever be bypassed.
    package func withTurnLock<T>(_ body: () throws -> T) throws -> T {
        try store.withTurnLock(body)
    }

    /// The names of the migrations applied to this ledger, oldest first.
    package func appliedMigrations() throws(LedgerError) -> [String] {
        try read { session in try LedgerMigrations.applied(session) }
    }

    /// The store's integrity checks (SQLite's `integrity_check` and `foreign_key_check`; PostgreSQL's
    /// equivalents, see ``PostgresStore/integrityProblems()``); an empty result means the ledger is sound.
    package func integrityProblems() throws(LedgerError) -> [String] {
        do {
            return try store.integrityProblems()
        } catch {
            throw ledgerError(error)
        }
    }

    /// The run with `id`, if any.
    package func run(id: String) throws(LedgerError) -> RunRecord? {
        try read { session in try RunRecord.fetch(id: id, session) }
    }

    /// Runs `body` in one write transaction that waits for every other writer; an error rolls everything back.
    func write<T>(_ body: (any LedgerSession) throws -> T) throws(LedgerError) -> T {
        do {
            return try store.write(body)
        } catch {
            throw ledgerError(error)
        }
    }

    /// Runs `body` with read access, on a consistent snapshot.
    func read<T>(_ body: (any LedgerSession) throws -> T) throws(LedgerError) -> T {
        do {
            return try store.read(body)
        } catch {
            throw ledgerError(error)
        }
    }

    /// Runs `body` in a transaction that writes only this connection's temporary tables.
    func writeTemporary<T>(_ body: (any LedgerSession) throws -> T) throws(LedgerError) -> T {
        do {
            return try store.temporary(body)
        } catch {
            throw ledgerError(error)
        }
    }

    /// Runs `body`, which only appends to this connection's temporary tables (see
    /// ``LedgerStore/appendTemporary(_:)``).
    func appendTemporary(_ body: (any LedgerSession) throws -> Void) throws(LedgerError) {
        do {
            try store.appendTemporary(body)
        } catch {
            throw ledgerError(error)
        }
    }

    /// A failure as a ``LedgerError``, in the words of the store that raised it.
    func ledgerError(_ error: any Error) -> LedgerError {
        if let error = error as? LedgerError { return error }
        return .database(reason: store.describe(error))
    }
}

extension Ledger {
    /// For a service that commits many times a second (`monitor serve`): on a SQLite ledger, a second
    /// connection to the file with which to checkpoint the write-ahead log (copy it back into the file) from
    /// another thread, with ``checkpoint()``. SQLite checkpoints inside the commit that takes the log past
    /// 1,000 pages, so under a steady intake one commit in a few waited for one; this connection's commits now
    /// checkpoint only past 8,000 pages (32 MiB), and only what the other connection has not copied yet, which
    /// keeps the log bounded. `nil` on PostgreSQL, which needs none of this.
    package func separateCheckpoints() throws(LedgerError) -> Ledger? {
        guard let sqlite = store as? SQLiteStore, sqlite.path != ":memory:" else { return nil }
        let checkpointer = try Ledger(path: sqlite.path, logger: logger)
        do {
            try sqlite.deferAutomaticCheckpoints()
        } catch {
            throw ledgerError(error)
        }
        return checkpointer
    }

    /// A PASSIVE checkpoint of a SQLite ledger: copies into the file what the log holds that no reader still
    /// needs, waiting for no one. Returns the log's pages and how many of them are in the file; `(0, 0)` on
    /// PostgreSQL.
    @discardableResult
    package func checkpoint() throws(LedgerError) -> (frames: Int, copied: Int) {
        guard let sqlite = store as? SQLiteStore else { return (0, 0) }
        do {
            return try sqlite.checkpoint()
        } catch {
            throw ledgerError(error)
        }
    }
}

import ToolContract

/// Failures of the run ledger.
package enum LedgerError: Error, Equatable, CustomStringConvertible {
    /// The ledger file cannot be opened or created.
    case cannotOpen(path: String, reason: String)
    /// A run id names a run of another agent or candidate.
    case runMismatch(runId: String, reason: String)
    /// A run, look or record that was asked for does not exist.
    case notFound(what: String)
    /// A command that only reads found no ledger at `location` (its password masked) and created none.
    case missing(location: String)
    /// The database failed; the transaction was rolled back.
    case database(reason: String)
    /// The file is a database of another application, left untouched.
    case notALedger(path: String, reason: String)
    /// A rollout moved since the command read it: the transition it computed no longer starts from the
    /// rollout's state (exit 64; nothing written).
    case staleRollout(runId: String, reason: String)
    /// An incremental export whose watermark moved while it ran (another export of the same selection).
    case staleExport(selection: String)
    /// `--ledger` names neither a file nor a PostgreSQL URL that can be parsed.
    case invalidLocation(reason: String)
    /// The PostgreSQL server cannot be reached at `endpoint` (`host:port`).
    case unavailable(endpoint: String, reason: String)
    /// The PostgreSQL server refused the login (`location` has its password masked).
    case loginRefused(location: String, reason: String)
    /// `ledger copy` found the target holding other rows than the source; nothing was copied.
    case copyRefused(table: String, reason: String)

    package var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "ledger \(path): cannot be opened: \(reason)"
        case .runMismatch(let runId, let reason):
            "run \(runId): \(reason)"
        case .notFound(let what):
            "\(what) is not in the ledger"
        case .missing(let location):
            "no ledger at \(location)"
        case .database(let reason):
            "ledger: \(reason); nothing was written"
        case .staleRollout(let runId, let reason):
            "run \(runId): \(reason); nothing was written, run the command again"
        case .staleExport(let selection):
            "another export of the selection \(selection) finished meanwhile; nothing was recorded, run the "
                + "command again"
        case .invalidLocation(let reason):
            "--ledger: \(reason)"
        case .unavailable(let endpoint, let reason):
            "the ledger's PostgreSQL server at \(endpoint) cannot be reached: \(reason); nothing was written"
        case .loginRefused(let location, let reason):
            "the ledger \(location) refused the login: \(reason); check the role and its password (the URL, "
                + "PGPASSWORD or the password file)"
        case .copyRefused(let table, let reason):
            "ledger copy: \(table): \(reason); the target was left as it was (copy into an empty ledger or one "
                + "that holds an earlier copy of this one)"
        case .notALedger(let path, let reason):
            "\(path) is not an AgentCanary ledger (\(reason)); it was left as it was: name another --ledger"
        }
    }
}

extension LedgerError: ExitStatusProviding {
    package var exitStatus: ExitStatus {
        switch self {
        case .runMismatch, .staleRollout, .staleExport, .invalidLocation: .usage
        case .unavailable: .unavailable
        case .loginRefused: .noPermission
        case .notFound, .missing: .noInput
        case .cannotOpen, .database: .software
        case .notALedger, .copyRefused: .dataError
        }
    }
}

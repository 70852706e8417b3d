/// The exit statuses every AgentCanary tool uses (DESIGN.md, "Exit status"), in one place.
package enum ExitStatus: Int32, Sendable {
    /// The tool ran and the verdict lets the pipeline go on (pass, promote, continue, hold).
    case proceed = 0
    /// The verdict stops the pipeline (gate fail or blocking inconclusive, rollback).
    case stop = 1
    /// The command line is wrong.
    case usage = 64
    /// An input is malformed or violates its schema.
    case dataError = 65
    /// An input file is missing.
    case noInput = 66
    /// A service (Prometheus, the `--apply` command) is unavailable.
    case unavailable = 69
    /// The tool itself failed.
    case software = 70
    /// A service refused the credentials it was given (the shared ledger's login).
    case noPermission = 77
    /// `monitor watch` stopped by SIGTERM between looks (128 + the signal, as a shell reports it).
    case stoppedBySignal = 143
}

/// A failure of a tool-specific module that knows its exit status.
package protocol ExitStatusProviding: Error {
    /// The status the failure maps to.
    var exitStatus: ExitStatus { get }
}

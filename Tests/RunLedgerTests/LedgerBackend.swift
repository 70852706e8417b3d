import Foundation
import RunLedger
import TestSupport
import Testing

/// The two stores a ledger test runs on: a SQLite file and a database of the tests' PostgreSQL server.
enum LedgerBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgresql

    /// The backends of this machine: PostgreSQL where it is installed, or where it must be (CI).
    static let available: [LedgerBackend] =
        ExternalTool.postgresql.path != nil || ExternalTool.mustBePresent ? allCases : [.sqlite]

    var testDescription: String { rawValue }

    /// A new, empty ledger location: a file in `directory`, or a new database.
    func location(in directory: TemporaryDirectory) throws -> String {
        switch self {
        case .sqlite: directory.path("ledger-\(UUID().uuidString.prefix(8)).sqlite")
        case .postgresql: try PostgresServer.shared().createDatabase()
        }
    }

    /// A new, empty ledger, opened.
    func ledger(in directory: TemporaryDirectory) throws -> Ledger {
        try Ledger(path: location(in: directory))
    }
}

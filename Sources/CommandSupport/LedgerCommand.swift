import ArgumentParser
import Artifacts
import Ledger

/// `TOOL ledger check`: the ledger's integrity, on demand.
package struct LedgerCommand: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Inspect the run ledger.",
        subcommands: [Check.self])

    package init() {}

    /// `ledger check`.
    package struct Check: ParsableCommand {
        package static let configuration = CommandConfiguration(
            abstract: "Check the ledger's integrity (SQLite's integrity and foreign-key checks, or PostgreSQL's).",
            discussion: "Prints 'ok' and the applied migrations, or one problem per line and exits 65.")

        @OptionGroup package var ledger: LedgerOptions

        package init() {}

        package func run() throws {
            try ToolRunner.run {
                let opened = try Ledger(path: ledger.path)
                let problems = try opened.integrityProblems()
                guard problems.isEmpty else {
                    for problem in problems { ToolRunner.printError("\(Ledger.displayName(ledger.path)): \(problem)") }
                    return ExitStatus.dataError.rawValue
                }
                ToolRunner.printResult(
                    "ok \(Ledger.displayName(ledger.path)) (migrations: \(try opened.appliedMigrations().joined(separator: ", ")))"
                )
                return 0
            }
        }
    }
}

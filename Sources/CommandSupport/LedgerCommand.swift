import ArgumentParser
import Foundation
import RunLedger
import ToolContract

/// `TOOL ledger check`, `TOOL ledger copy` and `TOOL ledger prune`: the ledger's integrity, moving it between
/// stores, and the retention of raw intake.
package struct LedgerCommand: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Inspect the run ledger.",
        subcommands: [Check.self, Copy.self, Prune.self])

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
                let opened = try Ledger.existing(at: ledger.path)
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

    /// `ledger copy FROM TO`.
    package struct Copy: ParsableCommand {
        package static let configuration = CommandConfiguration(
            abstract: "Copy a ledger into another: a SQLite file into PostgreSQL, or back for offline analysis.",
            discussion: """
                FROM and TO are each a path or a postgresql:// URL. TO is created (a file) or migrated (a \
                database) when needed, and receives every row of FROM in one transaction; afterwards each \
                table and view holds the same rows on both (checked by count and by a hash of the rows). \
                Copying again adds only what FROM gained since. A TO holding rows FROM does not is refused \
                (exit 65) and left as it was; a FROM that does not exist exits 66.
                """)

        @Argument(help: ArgumentHelp("The ledger to copy.", valueName: "from"))
        package var source: String

        @Argument(help: ArgumentHelp("The ledger to copy into.", valueName: "to"))
        package var target: String

        package init() {}

        package func run() throws {
            try ToolRunner.run {
                let report = try Ledger.existing(at: source).copy(to: Ledger(path: target))
                for table in report {
                    ToolRunner.printResult(
                        "\(table.name): \(table.rows) rows" + (table.added > 0 ? " (\(table.added) copied)" : ""))
                }
                ToolRunner.printResult(
                    "ok \(Ledger.displayName(source)) → \(Ledger.displayName(target)): every table and view verified")
                return 0
            }
        }
    }

    /// `ledger prune --older-than DURATION`.
    package struct Prune: ParsableCommand {
        package static let configuration = CommandConfiguration(
            abstract: "Delete the raw telemetry monitor serve received longer ago than a duration.",
            discussion: """
                Deletes the intake records received before now minus --older-than that every open run has read \
                (of an agent with a run in its canary, only what its looks' cursors have passed). What the looks \
                stored for their runs stays: rejudge and the exports read that, not the raw intake. Prints how \
                many records were deleted. monitor serve --retain does this periodically. A ledger that does not \
                exist exits 66.
                """)

        @Option(
            name: .customLong("older-than"),
            help: ArgumentHelp("Received longer ago than this (7d, 12h).", valueName: "duration"))
        package var olderThan: String

        @OptionGroup package var ledger: LedgerOptions

        package init() {}

        package func validate() throws {
            guard let duration = DurationArgument.parse(olderThan), duration > .zero else {
                throw ValidationError("--older-than '\(olderThan)' is not a duration such as 12h or 7d")
            }
        }

        package func run() throws {
            try ToolRunner.run {
                // Fractions count: `--older-than 0.9s` keeps what came in the last 0.9 s.
                let seconds = DurationArgument.parse(olderThan).map { $0 / .seconds(1) } ?? 0
                let deleted = try Ledger.existing(at: ledger.path).pruneIntake(
                    receivedBefore: Date().timeIntervalSince1970 - seconds)
                ToolRunner.printResult("pruned \(deleted) intake records received more than \(olderThan) ago")
                return 0
            }
        }
    }
}

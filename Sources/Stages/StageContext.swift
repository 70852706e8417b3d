import CIOutput
import Foundation
import Logging
import ToolContract

/// Where a stage runs: the ledger it records in, the command line and environment it was invoked with (the
/// environment also fixes its clock, through `SOURCE_DATE_EPOCH`), where its CI report goes, and the logger it
/// logs to. Every stage — the gate, a rollout command, a look, an export — is asked for with one, and opens
/// with ``recorder(tool:)``.
package struct StageContext: Sendable {
    /// Where the ledger is: a path or a `postgresql://` URL.
    package var ledgerPath: String
    /// The command line, as the stage record keeps it.
    package var arguments: [String]
    package var environment: [String: String]
    /// `--junit`, `--sarif`, `--summary` and the CI system's own files.
    package var ci: CIDestinations
    package var logger: Logger

    /// A context.
    package init(
        ledgerPath: String, arguments: [String], environment: [String: String], ci: CIDestinations = CIDestinations(),
        logger: Logger
    ) {
        self.ledgerPath = ledgerPath
        self.arguments = arguments
        self.environment = environment
        self.ci = ci
        self.logger = logger
    }

    /// The current time by the stage's clock (the time `SOURCE_DATE_EPOCH` fixes, else now).
    package var now: Date { ArtifactClock.now(environment: environment) }

    /// Starts recording one stage of `tool` (`benchmark-gate`, `canary-deploy`, `monitor`, `feedback-export`).
    package func recorder(tool: String) -> StageRecorder {
        StageRecorder(
            tool: tool, ledgerPath: ledgerPath, arguments: arguments, environment: environment, logger: logger)
    }
}

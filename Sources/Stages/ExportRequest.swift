import CIOutput
import Datasets
import Foundation
import RunLedger
import ToolContract

/// What to export and where.
package struct ExportRequest: Sendable {
    package var runId: String?
    package var agent: String?
    package var kinds: Set<RecordKind>
    package var arm: ArmSelection
    package var format: DatasetFormat
    package var outDir: String
    /// Split names and shares summing to 1; empty for one file.
    package var split: [(name: String, share: Double)]
    package var sinceLast: Bool
    /// Only records whose event time is at or after this (seconds since 1970).
    package var since: Double? = nil
    /// Where the stage runs: ledger, command line, environment, CI destinations and logger.
    package var stage: StageContext
    /// The policy's own redaction patterns (name, ICU regular expression), after the built-in rules.
    package var redactionPatterns: [(name: String, pattern: String)] = []
    /// The input files to name in the manifest (the policy).
    package var inputs: [InputFile] = []

    /// Makes a request.
    package init(
        runId: String?, agent: String?, kinds: Set<RecordKind>, arm: ArmSelection, format: DatasetFormat,
        outDir: String,
        split: [(name: String, share: Double)], sinceLast: Bool, stage: StageContext
    ) {
        self.runId = runId
        self.agent = agent
        self.kinds = kinds
        self.arm = arm
        self.format = format
        self.outDir = outDir
        self.split = split
        self.sinceLast = sinceLast
        self.stage = stage
    }
}

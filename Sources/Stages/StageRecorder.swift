import CIOutput
import Foundation
import Logging
import RunLedger
import ToolContract
import ToolFiles

/// What one invocation of a stage writes, and the one order it writes it in: the outputs staged beside their
/// destinations, the stage recorded in the ledger with them, then the outputs moved into place, then GitHub's
/// files. A failure before the ledger commits leaves every output and the ledger as they were.
///
/// Each stage (the gate, a rollout command, a look, an export) makes one recorder when it starts; the
/// recorder owns the stage's clock, its staged files and their digests, its CI report files and its stage
/// record, so that no stage writes that ritual out again.
package final class StageRecorder {
    /// The tool the stage belongs to, as the ledger records it (`benchmark-gate`, `canary-deploy`, …).
    package let tool: String
    /// Where the ledger is: a path or a `postgresql://` URL.
    package let ledgerPath: String
    let arguments: [String]
    let environment: [String: String]
    let logger: Logger
    /// When the stage started: the time its artifact and its stage record carry.
    package let started: Date
    /// The outputs staged or recorded so far, in order, with their digests.
    package private(set) var outputs: [OutputFile] = []
    private let staged = StagedFiles()
    private let publisher: CIPublisher

    /// Starts recording a stage of `tool` now (or at the time `SOURCE_DATE_EPOCH` fixes).
    package init(
        tool: String, ledgerPath: String, arguments: [String], environment: [String: String], logger: Logger
    ) {
        self.tool = tool
        self.ledgerPath = ledgerPath
        self.arguments = arguments
        self.environment = environment
        self.logger = logger
        started = ArtifactClock.now(environment: environment)
        publisher = CIPublisher(environment: environment)
    }

    /// ``started`` as artifacts write it (ISO-8601, whole seconds).
    package var startedAt: String { ArtifactClock.iso8601(started) }

    /// The current time by the stage's clock.
    package var now: Date { ArtifactClock.now(environment: environment) }

    /// The ledger the stage reads from, which must exist already: `missing(name)` is thrown when it does not,
    /// with the ledger's name as messages print it (a URL's password masked).
    package func existingLedger(orThrow missing: (_ name: String) -> any Error) throws -> Ledger {
        guard let ledger = try Ledger.openExisting(at: ledgerPath, logger: logger) else {
            throw missing(Ledger.displayName(ledgerPath))
        }
        return ledger
    }

    /// The ledger the stage records in, created (and migrated) when missing.
    package func ledger() throws -> Ledger {
        try Ledger(path: ledgerPath, logger: logger)
    }

    /// Finishes the renames an interrupted invocation of this tool left undone for `runId`, so that this one
    /// starts from outputs that match the ledger.
    package func rollForward(in ledger: Ledger, runId: String) throws {
        for path in try ledger.rollForwardOutputs(runId: runId, tool: tool) {
            logger.warning("brought \(path) forward to what the ledger recorded (a previous \(tool) was interrupted)")
        }
    }

    /// Stages `data` for `path` as an output of `kind`; returns its SHA-256.
    @discardableResult
    package func stage(_ data: Data, at path: String, kind: String) throws -> String {
        try staged.stage(data, at: path)
        let sha256 = Digest.sha256(data)
        outputs.append(OutputFile(kind: kind, path: path, sha256: sha256))
        return sha256
    }

    /// Stages the report files the flags ask for (JUnit, summary, dotenv).
    package func stage(_ report: CIReport, to destinations: CIDestinations) throws {
        for file in try publisher.stageFiles(report, to: destinations, in: staged) {
            outputs.append(OutputFile(kind: file.kind, path: file.path, sha256: Digest.sha256(file.data)))
        }
    }

    /// Adds an output the stage put in place itself (a dataset's manifest, inside the directory it renamed).
    package func add(_ output: OutputFile) {
        outputs.append(output)
    }

    /// The stage as the ledger records it, ending now with `exitStatus`.
    package func invocation(exitStatus: Int32) -> StageInvocation {
        StageInvocation(
            tool: tool, arguments: arguments, startedAt: startedAt, endedAt: ArtifactClock.iso8601(now),
            exitStatus: exitStatus)
    }

    /// Records the stage through `record` (one ledger transaction, given the stage's invocation; it may stage
    /// more outputs before it commits), then moves the staged outputs into place. When `record` fails, the
    /// staged outputs are discarded and nothing was written.
    @discardableResult
    package func commit<Recorded>(exitStatus: Int32, _ record: (StageInvocation) throws -> Recorded) throws -> Recorded
    {
        let recorded: Recorded
        do {
            recorded = try record(invocation(exitStatus: exitStatus))
        } catch {
            staged.discard()
            throw error
        }
        try staged.commit()
        return recorded
    }

    /// Publishes the report to GitHub Actions (step outputs, step summary) when the stage runs there; returns
    /// the annotations to print. Last, after the commit: GitHub's files are appended to, never staged.
    package func publish(_ report: CIReport) throws -> [String] {
        try publisher.publishToGitHub(report)
    }
}

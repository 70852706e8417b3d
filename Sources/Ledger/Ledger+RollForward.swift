import Artifacts
import GRDB

extension Ledger {
    /// The outputs the latest stage of `tool` for run `runId` recorded, as they were written.
    package func latestOutputs(runId: String, tool: String) throws(LedgerError) -> [OutputFile] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT kind, path, sha256 FROM artifacts WHERE stage_id = (
                        SELECT id FROM stages WHERE run_id = ? AND tool = ? ORDER BY id DESC LIMIT 1)
                    ORDER BY id
                    """,
                arguments: [runId, tool]
            ).map { OutputFile(kind: $0["kind"], path: $0["path"], sha256: $0["sha256"]) }
        }
    }

    /// Finishes what a killed `tool` left undone for run `runId`: each output its latest stage recorded that
    /// is not in place but waits in a leftover temporary is renamed into place, and the other leftovers of
    /// those outputs are removed (see ``Leftovers/reconcile(destination:recordedSHA256:)``). Returns the paths
    /// brought forward.
    package func rollForwardOutputs(runId: String, tool: String) throws(LedgerError) -> [String] {
        try latestOutputs(runId: runId, tool: tool).filter { output in
            Leftovers.reconcile(destination: output.path, recordedSHA256: output.sha256)
        }
        .map(\.path)
    }
}

import ToolContract
import ToolFiles

extension Ledger {
    /// The outputs the latest stage of `tool` for run `runId` recorded, as they were written.
    package func latestOutputs(runId: String, tool: String) throws(LedgerError) -> [OutputFile] {
        try read { session in
            try session.rows(
                """
                SELECT kind, path, sha256 FROM artifacts WHERE stage_id = (
                    SELECT id FROM stages WHERE run_id = ? AND tool = ? ORDER BY id DESC LIMIT 1)
                ORDER BY id
                """,
                arguments: [runId, tool]
            ).map { row in
                OutputFile(
                    kind: try row.value(at: 0, named: "kind"), path: try row.value(at: 1, named: "path"),
                    sha256: try row.value(at: 2, named: "sha256"))
            }
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

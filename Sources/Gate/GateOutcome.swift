import Artifacts
import CIOutput

/// What a gate invocation produced.
package struct GateOutcome: Sendable {
    /// The artifact.
    package var result: GateResult
    /// The CI report (also the text printed on stdout).
    package var report: CIReport
    /// GitHub workflow commands to print, when under GitHub Actions.
    package var workflowCommands: [String]
    /// The exit status the verdict calls for: 0, or 1 when the verdict blocks.
    package var exitStatus: Int32

    /// An outcome.
    package init(result: GateResult, report: CIReport, workflowCommands: [String], exitStatus: Int32) {
        self.result = result
        self.report = report
        self.workflowCommands = workflowCommands
        self.exitStatus = exitStatus
    }
}

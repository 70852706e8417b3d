import Artifacts

/// What a look produced.
package struct LookOutcome: Sendable {
    package var artifact: AnalysisArtifact
    /// The rollout transition `--act` carried out, if any.
    package var action: String?
    package var warnings: [String]
    package var workflowCommands: [String]
    package var exitStatus: Int32
    /// How each notification of the look (or of the transition it made) went, one line per target.
    package var notifications: [String] = []

    /// An outcome.
    package init(
        artifact: AnalysisArtifact, action: String?, warnings: [String], workflowCommands: [String], exitStatus: Int32,
        notifications: [String] = []
    ) {
        self.artifact = artifact
        self.action = action
        self.warnings = warnings
        self.workflowCommands = workflowCommands
        self.exitStatus = exitStatus
        self.notifications = notifications
    }
}

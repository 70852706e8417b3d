import Artifacts
import Notifications
import Rollout

/// What a state-changing command produced.
package struct DeployOutcome: Sendable {
    /// The new `rollout.json`.
    package var artifact: RolloutArtifact
    /// Whether the command was recognised as a retry of the last transition.
    package var retried: Bool
    /// GitHub workflow commands to print.
    package var workflowCommands: [String]
    /// How each notification of the transition went, one report per target.
    package var notifications: [DeliveryReport] = []

    /// An outcome.
    package init(
        artifact: RolloutArtifact, retried: Bool, workflowCommands: [String], notifications: [DeliveryReport] = []
    ) {
        self.artifact = artifact
        self.retried = retried
        self.workflowCommands = workflowCommands
        self.notifications = notifications
    }
}

extension DeployOutcome {
    /// What `canary-deploy` prints on stdout for a state-changing command.
    package var text: String {
        var text = RolloutText.summary(artifact)
        if retried { text += "\n(retry of the last transition: nothing new was recorded)\n" }
        for command in workflowCommands { text += command + "\n" }
        return text
    }
}

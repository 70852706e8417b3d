import Artifacts
import Notifications

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
}

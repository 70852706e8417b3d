import Artifacts
import CIOutput

/// The text `canary-deploy` prints on stdout.
package enum RolloutText {
    /// The outcome of a state-changing command.
    package static func render(_ outcome: DeployOutcome) -> String {
        var text = summary(outcome.artifact)
        if outcome.retried { text += "\n(retry of the last transition: nothing new was recorded)\n" }
        for command in outcome.workflowCommands { text += command + "\n" }
        return text
    }

    /// A rollout's state and history.
    package static func summary(_ rollout: RolloutArtifact) -> String {
        var text = CIRenderer.markdown(RolloutReport.ciReport(rollout, rolloutPath: ""))
        text += "\nfiles: " + rollout.files.map(\.path).joined(separator: ", ") + "\n"
        return text
    }
}

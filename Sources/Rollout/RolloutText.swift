import Artifacts
import CIOutput

/// The text `canary-deploy` prints on stdout.
package enum RolloutText {
    /// A rollout's state and history.
    package static func summary(_ rollout: RolloutArtifact) -> String {
        var text = CIRenderer.markdown(RolloutReport.ciReport(rollout, rolloutPath: ""))
        text += "\nfiles: " + rollout.files.map(\.path).joined(separator: ", ") + "\n"
        return text
    }
}

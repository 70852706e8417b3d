import CIOutput
import Foundation
import Logging
import Rollout
import ToolContract

/// Where a state-changing command writes and how it applies the configuration.
package struct DeployContext: Sendable {
    /// The output directory (`rollout.json` and the rendered configuration).
    package var outDir: String
    /// A shell command that receives the rendered configuration on stdin (`kubectl apply -f -`).
    package var apply: String?
    /// Where the stage runs: ledger, command line, environment, CI destinations and logger.
    package var stage: StageContext
    /// The whole time one notification may take, retries included (`--notify-timeout`).
    package var notifyTimeout: TimeInterval = 10
    /// The report a notification links to (`--report-url`).
    package var reportURL: String?

    /// Makes a context.
    package init(
        outDir: String, apply: String?, stage: StageContext
    ) {
        self.outDir = outDir
        self.apply = apply
        self.stage = stage
    }

    /// The person running the command: `$AGENT_CANARY_ACTOR`, `$GITHUB_ACTOR`, `$GITLAB_USER_LOGIN`, `$USER`.
    var person: String {
        for key in ["AGENT_CANARY_ACTOR", "GITHUB_ACTOR", "GITLAB_USER_LOGIN", "BUILD_USER_ID", "USER"] {
            if let value = stage.environment[key], !value.isEmpty { return value }
        }
        return "person"
    }
}

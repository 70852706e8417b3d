import CIOutput
import Foundation
import Logging
import StageRecording
import ToolContract

/// Where a state-changing command writes and how it applies the configuration.
package struct DeployContext: Sendable {
    /// The output directory (`rollout.json` and the rendered configuration).
    package var outDir: String
    /// A shell command that receives the rendered configuration on stdin (`kubectl apply -f -`).
    package var apply: String?
    package var ci: CIDestinations
    package var ledgerPath: String
    package var arguments: [String]
    package var environment: [String: String]
    /// The whole time one notification may take, retries included (`--notify-timeout`).
    package var notifyTimeout: TimeInterval = 10
    /// The report a notification links to (`--report-url`).
    package var reportURL: String?

    /// Makes a context.
    package init(
        outDir: String, apply: String?, ci: CIDestinations, ledgerPath: String, arguments: [String],
        environment: [String: String]
    ) {
        self.outDir = outDir
        self.apply = apply
        self.ci = ci
        self.ledgerPath = ledgerPath
        self.arguments = arguments
        self.environment = environment
    }

    var now: Date { ArtifactClock.now(environment: environment) }

    /// A recorder for one `canary-deploy` stage in this context.
    func recorder(logger: Logger) -> StageRecorder {
        StageRecorder(
            tool: "canary-deploy", ledgerPath: ledgerPath, arguments: arguments, environment: environment,
            logger: logger)
    }

    /// The person running the command: `$AGENT_CANARY_ACTOR`, `$GITHUB_ACTOR`, `$GITLAB_USER_LOGIN`, `$USER`.
    var person: String {
        for key in ["AGENT_CANARY_ACTOR", "GITHUB_ACTOR", "GITLAB_USER_LOGIN", "BUILD_USER_ID", "USER"] {
            if let value = environment[key], !value.isEmpty { return value }
        }
        return "person"
    }
}

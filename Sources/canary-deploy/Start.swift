import ArgumentParser
import CommandSupport
import Rollout
import Stages

struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a canary for the candidate of a recorded passing gate.")

    @Option(help: ArgumentHelp("The gate result (gate-result.json).", valueName: "file"))
    var gate: String
    @Option(help: ArgumentHelp("The release policy.", valueName: "file"))
    var policy: String
    @Option(
        help: ArgumentHelp(
            "istio, gateway-api, kong, apisix, nginx, aws-alb, gcp, flagd (an OpenFeature flag the agent evaluates), or external (Argo Rollouts, Flagger or Spinnaker moves the traffic and asks monitor serve).",
            valueName: "router"))
    var router: String
    @Flag(help: "Start without a recorded passing gate (needs --reason; recorded as forced).")
    var force = false
    @Option(help: "Why (required with --force).")
    var reason: String?
    @OptionGroup var options: DeployOptions

    func validate() throws {
        if force && (reason ?? "").isEmpty { throw ValidationError("--force needs --reason.") }
    }

    func run() throws {
        try DeployPrinter.run { deploy in
            try deploy.start(
                gatePath: gate, policyPath: policy, router: router, force: force, reason: reason,
                context: options.context)
        }
    }
}

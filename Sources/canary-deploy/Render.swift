import ArgumentParser
import CommandSupport
import Foundation
import Policy
import Rollout
import Vocabulary

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render the routing configuration for a weight, without changing any state.")
    @Option(help: ArgumentHelp("The release policy.", valueName: "file")) var policy: String
    @Option(
        help: ArgumentHelp(
            "istio, gateway-api, kong, apisix, nginx, aws-alb, gcp, flagd (an OpenFeature flag the agent evaluates), or external (Argo Rollouts, Flagger or Spinnaker moves the traffic and asks monitor serve).",
            valueName: "router"))
    var router: String
    @Option(help: "Share of new conversations on the candidate (percent).") var weight: Int
    @Option(help: "canary, shadow, dark or ab (default: the policy's).") var mode: String?
    @Option(help: "The baseline's version (default: agent.baseline_version).") var baselineVersion: String?
    @Option(help: "The candidate's version.") var candidateVersion = "candidate"
    @Option(help: ArgumentHelp("Where the files go.", valueName: "dir")) var outDir = "canary-out"

    func validate() throws {
        guard (0...100).contains(weight) else { throw ValidationError("--weight must be within 0…100.") }
        if let mode, RolloutMode(rawValue: mode) == nil {
            throw ValidationError("--mode must be one of: canary, shadow, dark, ab.")
        }
    }

    func run() throws {
        try ToolRunner.run {
            let paths = try RoutingPreview.render(
                policyPath: policy, router: router, weight: weight, mode: mode.flatMap(RolloutMode.init(rawValue:)),
                baselineVersion: baselineVersion, candidateVersion: candidateVersion, outDir: outDir)
            ToolRunner.printResult(paths.joined(separator: "\n"))
            return 0
        }
    }
}

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the policy's steps with their minimum samples and durations.")
    @Option(help: ArgumentHelp("The release policy.", valueName: "file")) var policy: String

    func run() throws {
        try ToolRunner.run {
            ToolRunner.printResult(try RoutingPreview.plan(policyPath: policy))
            return 0
        }
    }
}

import Foundation
import Policy
import PolicyFiles
import Routing
import ToolContract
import ToolFiles
import Vocabulary

/// `render` and `plan`: what a policy would do, with no state and no ledger.
package enum RoutingPreview {
    /// Renders the configuration for `weight` into `outDir`; returns the paths written.
    package static func render(
        policyPath: String, router: String, weight: Int, mode: RolloutMode?, baselineVersion: String?,
        candidateVersion: String, outDir: String
    ) throws -> [String] {
        let loaded = try PolicyLoader.load(path: policyPath, agentName: nil)
        let kind = try RouterKind.named(router)
        let plan = RoutingPlan.make(
            agent: loaded.policy.agent.name,
            baselineVersion: baselineVersion ?? loaded.policy.agent.baselineVersion ?? "baseline",
            candidateVersion: candidateVersion, rollout: loaded.policy.rollout,
            mode: mode ?? loaded.policy.rollout.mode, weight: weight, phase: .progressing, drainingArm: nil,
            drainDeadline: nil)
        let files = try kind.render(plan)
        let staged = StagedFiles()
        var paths: [String] = []
        for file in files {
            let path = (outDir as NSString).appendingPathComponent(file.name)
            try staged.stage(Data(file.text.utf8), at: path)
            paths.append(path)
        }
        try staged.commit()
        return paths
    }

    /// The policy's steps as a table.
    package static func plan(policyPath: String) throws -> String {
        let loaded = try PolicyLoader.load(path: policyPath, agentName: nil)
        return RolloutReport.plan(loaded.policy.rollout.steps)
    }
}

import Artifacts
import CIOutput
import Policy
import Vocabulary

/// The CI report and the text `canary-deploy` prints for a rollout.
package enum RolloutReport {
    /// The CI report of a rollout's state.
    package static func ciReport(_ rollout: RolloutArtifact, rolloutPath: String) -> CIReport {
        let last = rollout.history.last
        return CIReport(
            tool: "canary-deploy",
            title:
                "canary-deploy: \(rollout.agent) \(rollout.candidateVersion) — \(rollout.phase) at \(rollout.weight) %",
            headline: "Router \(rollout.router), mode \(rollout.mode), step \(rollout.step) of \(rollout.steps.count)"
                + (rollout.drainDeadline.map { "; pins of \(rollout.drainVersion ?? "") drain until \($0)" } ?? "")
                + (last.map { ". Last: \($0.command) by \($0.actor) (\($0.reason))." } ?? "."),
            outputs: [
                CIOutputValue("phase", rollout.phase.rawValue), CIOutputValue("weight", String(rollout.weight)),
                CIOutputValue("step", String(rollout.step)), CIOutputValue("run_id", rollout.runId),
                CIOutputValue("rollout", rolloutPath), CIOutputValue("applied", rollout.applied),
            ],
            checks: [],
            table: CITable(
                header: ["#", "Command", "From", "To", "Actor", "Reason", "Applied", "At"],
                rows: rollout.history.enumerated().map { index, entry in
                    [
                        String(index + 1), entry.command.rawValue,
                        entry.fromPhase.map { "\($0) \(entry.fromWeight ?? 0) %" } ?? "–",
                        "\(entry.toPhase) \(entry.toWeight) %",
                        entry.actor + (entry.forced && entry.actor != "forced" ? " (forced)" : ""),
                        entry.reason, entry.applied, entry.at,
                    ]
                }))
    }

    /// The steps of a policy as a table.
    package static func plan(_ steps: [RolloutStep]) -> String {
        CIRenderer.table(
            CITable(
                header: ["Step", "Weight", "Minimum tasks", "Minimum duration"],
                rows: steps.enumerated().map { index, step in
                    [String(index + 1), "\(step.weight) %", String(step.minTasks), duration(step.minDurationSeconds)]
                })
        ).joined(separator: "\n")
    }

    static func duration(_ seconds: Int) -> String {
        if seconds == 0 { return "–" }
        let hours = seconds / 3600
        let minutes = seconds % 3600 / 60
        let rest = seconds % 60
        return [hours > 0 ? "\(hours)h" : "", minutes > 0 ? "\(minutes)m" : "", rest > 0 ? "\(rest)s" : ""].joined()
    }
}

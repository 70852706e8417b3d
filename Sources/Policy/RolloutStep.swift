/// One weighted step of a rollout.
package struct RolloutStep: Codable, Equatable, Sendable {
    /// Share of new conversations sent to the candidate, in percent (1…100).
    package var weight: Int
    /// Completed candidate tasks needed before the step may end.
    package var minTasks: Int
    /// Seconds the step lasts at least.
    package var minDurationSeconds: Int

    /// Makes a step.
    package init(weight: Int, minTasks: Int, minDurationSeconds: Int) {
        self.weight = weight
        self.minTasks = minTasks
        self.minDurationSeconds = minDurationSeconds
    }
}

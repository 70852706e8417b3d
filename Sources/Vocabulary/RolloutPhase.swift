/// A rollout's phase.
package enum RolloutPhase: String, Codable, Sendable, CaseIterable {
    case progressing
    case paused
    case promoted
    case rolledBack = "rolled_back"
}

/// The commands that change a rollout.
package enum RolloutCommand: String, Codable, Sendable, CaseIterable {
    case start, advance, promote, rollback, pause, resume
}

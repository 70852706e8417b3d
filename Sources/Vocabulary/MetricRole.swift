/// Which way a metric is better.
package enum MetricDirection: String, Codable, Sendable, CaseIterable {
    case higher, lower
}

/// What a metric's regression does to the decision.
package enum MetricRole: String, Codable, Sendable, CaseIterable {
    /// Evidence of non-inferiority is needed to promote; a proven regression rolls back.
    case primary
    /// A proven regression rolls back.
    case guardrail
    /// A proven regression holds the rollout for a person to look.
    case signal
}

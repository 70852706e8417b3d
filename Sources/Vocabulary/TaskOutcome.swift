/// How a task ended.
package enum TaskOutcome: String, Sendable, Equatable, CaseIterable {
    case success, failure, error, abandoned
}

/// Severity of a policy violation.
package enum ViolationSeverity: String, Sendable, Equatable, CaseIterable {
    case critical, high, low
}

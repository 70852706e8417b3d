/// A monitor's decision.
package enum Decision: String, Codable, Sendable, CaseIterable {
    /// The step's criteria are met: advance, or promote after the last step.
    case promote
    /// Not enough evidence yet: look again later.
    case `continue`
    /// Something needs a person: sample-ratio mismatch, a routing fault, a signal regression.
    case hold
    /// A guardrail or primary metric regressed, or a critical violation occurred.
    case rollback
}

/// A metric's verdict at a look.
package enum MetricStatus: String, Codable, Sendable, CaseIterable {
    /// The candidate is worse than the baseline beyond the metric's margin, by an always-valid test.
    case regressed
    /// The candidate is shown to be no worse than the margin.
    case nonInferior = "non_inferior"
    /// Neither yet.
    case inconclusive
    /// Too few tasks per arm to judge.
    case insufficient
}

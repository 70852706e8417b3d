/// The outcome of a gate or of one of its criteria.
package enum GateVerdict: String, Codable, Equatable, Sendable, CaseIterable {
    /// The candidate is no worse than the baseline beyond the policy's margins.
    case pass
    /// The candidate is worse than the margin, with confidence.
    case fail
    /// The suite is too small to tell.
    case inconclusive
}

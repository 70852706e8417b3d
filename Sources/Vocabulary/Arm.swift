/// One of the two versions a canary compares: the baseline (the stable version) and the candidate. Routers
/// send conversations to an arm, the monitor counts per arm, exports select by arm; its raw value is the name
/// the ledger, the artifacts and the routers' headers use.
package enum Arm: String, Codable, Sendable, CaseIterable {
    case baseline
    case candidate

    /// The arm's place in per-arm arrays: the baseline's 0, the candidate's 1.
    package var index: Int {
        switch self {
        case .baseline: 0
        case .candidate: 1
        }
    }
}

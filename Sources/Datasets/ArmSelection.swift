import Vocabulary

/// The arms an export takes its records from (`--arm`).
package enum ArmSelection: String, CaseIterable, Sendable {
    case baseline
    case candidate
    case both

    /// Whether a record of `arm` (`baseline` or `candidate`, as the ledger stores it) is selected.
    package func includes(_ arm: Arm) -> Bool {
        self == .both || rawValue == arm.rawValue
    }
}

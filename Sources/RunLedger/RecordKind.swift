/// The kinds of evidence a canary's ledger retains for datasets, as `feedback-export --kind` names them.
package enum RecordKind: String, CaseIterable, Sendable {
    /// Tasks that did not succeed.
    case failures
    /// Tasks with a tool call the policy forbids, with the violation.
    case rogueActions = "rogue-actions"
    /// Tasks a user rated down.
    case negativeFeedback = "negative-feedback"
    /// Shadow pairs whose candidate disagreed with the baseline.
    case shadowDisagreements = "shadow-disagreements"
    /// The sampled successes.
    case successes

    /// The kinds' names sorted and joined, as selection keys and export rows record a set of kinds.
    package static func names(_ kinds: some Collection<RecordKind>, separator: String) -> String {
        kinds.map(\.rawValue).sorted().joined(separator: separator)
    }
}

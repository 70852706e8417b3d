/// How `canary-deploy` exposes a candidate.
package enum RolloutMode: String, Codable, Sendable, CaseIterable {
    /// A weighted split of new conversations.
    case canary
    /// The stable version serves everyone; a share of requests is mirrored to the candidate's dry-run
    /// deployment, whose answers are discarded.
    case shadow
    /// Only requests marked by a header reach the candidate.
    case dark
    /// Requests matching header or cookie rules go to the candidate.
    case ab
}

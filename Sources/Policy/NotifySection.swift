import Vocabulary

/// Who hears of the release's decisions and transitions (`notify:` in the policy): chat channels and webhooks.
package struct NotifyTarget: Codable, Equatable, Sendable {
    /// The service whose message format the target gets.
    package enum Kind: String, Codable, CaseIterable, Sendable {
        case slack, msteams, discord, googlechat, webhook
    }

    package var kind: Kind
    /// The environment variable that holds the URL: the URL itself is a secret (a chat webhook's URL is its
    /// credential) and never appears in the policy, the ledger or a log.
    package var urlEnv: String
    /// The environment variable that holds the HMAC key a webhook's body is signed with, when one is.
    package var secretEnv: String?
    /// The events this target wants.
    package var events: [NotifyEvent]

    /// Describes a target.
    package init(kind: Kind, urlEnv: String, secretEnv: String? = nil, events: [NotifyEvent] = NotifyEvent.allCases) {
        self.kind = kind
        self.urlEnv = urlEnv
        self.secretEnv = secretEnv
        self.events = events
    }
}

/// What a notification tells: a transition of the rollout (whoever made it), or a decision of the monitor
/// that holds or rolls back without acting. `forced` is every transition made with `--force`.
package enum NotifyEvent: String, Codable, CaseIterable, Sendable {
    case start, advance, promote, rollback, hold, pause, resume, forced

    /// The event a rollout command announces.
    package init(_ command: RolloutCommand) {
        switch command {
        case .start: self = .start
        case .advance: self = .advance
        case .promote: self = .promote
        case .rollback: self = .rollback
        case .pause: self = .pause
        case .resume: self = .resume
        }
    }
}

import Policy
import Vocabulary

/// One transition in `rollout.json`'s history.
package struct RolloutHistoryEntry: Codable, Equatable, Sendable {
    package var command: RolloutCommand
    package var fromPhase: RolloutPhase?
    package var fromWeight: Int?
    package var toPhase: RolloutPhase
    package var toWeight: Int
    package var reason: String
    /// `monitor`, a person, or `forced`.
    package var actor: String
    package var forced: Bool
    package var evidenceSha256: String?
    /// `not-requested`, `applied` or `failed`.
    package var applied: String
    package var at: String

    /// Makes an entry.
    package init(
        command: RolloutCommand, fromPhase: RolloutPhase?, fromWeight: Int?, toPhase: RolloutPhase, toWeight: Int,
        reason: String,
        actor: String, forced: Bool, evidenceSha256: String?, applied: String, at: String
    ) {
        self.command = command
        self.fromPhase = fromPhase
        self.fromWeight = fromWeight
        self.toPhase = toPhase
        self.toWeight = toWeight
        self.reason = reason
        self.actor = actor
        self.forced = forced
        self.evidenceSha256 = evidenceSha256
        self.applied = applied
        self.at = at
    }
}

/// A rendered routing file listed in `rollout.json`.
package struct RenderedFileEntry: Codable, Equatable, Sendable {
    package var path: String
    package var sha256: String

    /// Makes an entry.
    package init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }
}

/// The artifact `canary-deploy` writes after every state change (`schemas/rollout.schema.json`).
package typealias RolloutArtifact = Enveloped<RolloutFields>

/// The fields of ``RolloutArtifact`` after its envelope.
package struct RolloutFields: ArtifactFields {
    /// The schema identifier of this artifact.
    package static let schemaID = "agent-canary/rollout/v1"

    package var agent: String
    package var baselineVersion: String
    package var candidateVersion: String
    package var router: String
    package var mode: RolloutMode
    /// `progressing`, `paused`, `promoted` or `rolled_back`.
    package var phase: RolloutPhase
    /// 1-based step number.
    package var step: Int
    /// Share of new conversations on the candidate, in percent.
    package var weight: Int
    package var steps: [RolloutStep]
    package var stepStartedAt: String
    /// The version whose pinned conversations are draining, and until when.
    package var drainVersion: String?
    package var drainDeadline: String?
    /// Whether the last transition's configuration was applied (`not-requested`, `applied`, `failed`).
    package var applied: String
    package var history: [RolloutHistoryEntry]
    package var files: [RenderedFileEntry]

    /// Makes the fields of a rollout artifact.
    package init(
        agent: String, baselineVersion: String, candidateVersion: String, router: String,
        mode: RolloutMode, phase: RolloutPhase, step: Int, weight: Int, steps: [RolloutStep], stepStartedAt: String,
        drainVersion: String?, drainDeadline: String?, applied: String, history: [RolloutHistoryEntry],
        files: [RenderedFileEntry]
    ) {
        self.agent = agent
        self.baselineVersion = baselineVersion
        self.candidateVersion = candidateVersion
        self.router = router
        self.mode = mode
        self.phase = phase
        self.step = step
        self.weight = weight
        self.steps = steps
        self.stepStartedAt = stepStartedAt
        self.drainVersion = drainVersion
        self.drainDeadline = drainDeadline
        self.applied = applied
        self.history = history
        self.files = files
    }
}

import Foundation
import Policy
import Vocabulary

/// What one notification tells, whatever the target's format: a rollout's transition or a monitor's decision,
/// with what drove it. Its JSON form is the generic webhook's body (`schemas/notification.schema.json`).
package struct ReleaseNotice: Codable, Equatable, Sendable {
    /// The schema of the webhook body.
    package static let schemaID = "agent-canary/notification/v1"

    /// One metric that drove a decision, with its interval.
    package struct Metric: Codable, Equatable, Sendable {
        package var name: String
        package var role: MetricRole
        package var status: MetricStatus
        package var baseline: Double?
        package var candidate: Double?
        package var difference: Double?
        /// Candidate / baseline, for costs, tokens, steps and quantiles.
        package var ratio: Double?
        package var ciLow: Double?
        package var ciHigh: Double?

        /// Describes a metric.
        package init(
            name: String, role: MetricRole, status: MetricStatus, baseline: Double?, candidate: Double?,
            difference: Double?,
            ratio: Double?, ciLow: Double?, ciHigh: Double?
        ) {
            self.name = name
            self.role = role
            self.status = status
            self.baseline = baseline
            self.candidate = candidate
            self.difference = difference
            self.ratio = ratio
            self.ciLow = ciLow
            self.ciHigh = ciHigh
        }

        enum CodingKeys: String, CodingKey {
            case name, role, status, baseline, candidate, difference, ratio
            case ciLow = "ci_low"
            case ciHigh = "ci_high"
        }
    }

    package var schema = Self.schemaID
    package var event: NotifyEvent
    /// Whether the transition was made with `--force`.
    package var forced: Bool
    /// `monitor` or `canary-deploy`.
    package var source: String
    package var agent: String
    package var runId: String
    package var baselineVersion: String
    package var candidateVersion: String
    /// The step (1-based) and candidate weight after the transition, or at the look.
    package var step: Int?
    package var weight: Int?
    /// The weight before a transition.
    package var fromWeight: Int?
    /// The monitor's decision, when one drove it.
    package var decision: Decision?
    /// Why: the decision's reasons, or the person's `--reason`.
    package var reasons: [String]
    package var metrics: [Metric]
    /// Who made the transition (`monitor`, a person, `forced`).
    package var actor: String?
    package var reportURL: String?
    /// One per look or transition: a retried delivery carries the same key, so a receiver counts it once.
    package var idempotencyKey: String
    package var createdAt: String

    /// Describes a notice.
    package init(
        event: NotifyEvent, forced: Bool, source: String, agent: String, runId: String, baselineVersion: String,
        candidateVersion: String, step: Int?, weight: Int?, fromWeight: Int?, decision: Decision?, reasons: [String],
        metrics: [Metric], actor: String?, reportURL: String?, idempotencyKey: String, createdAt: String
    ) {
        self.event = event
        self.forced = forced
        self.source = source
        self.agent = agent
        self.runId = runId
        self.baselineVersion = baselineVersion
        self.candidateVersion = candidateVersion
        self.step = step
        self.weight = weight
        self.fromWeight = fromWeight
        self.decision = decision
        self.reasons = reasons
        self.metrics = metrics
        self.actor = actor
        self.reportURL = reportURL
        self.idempotencyKey = idempotencyKey
        self.createdAt = createdAt
    }

    /// Whether `target` wants this notice: its event, or `forced` for a forced transition.
    package func isWanted(by target: NotifyTarget) -> Bool {
        target.events.contains(event) || (forced && target.events.contains(.forced))
    }

    /// One line for people: what happened to which release.
    package var headline: String {
        let what: String
        switch event {
        case .start: what = "canary started"
        case .advance: what = "canary advanced"
        case .promote: what = "candidate promoted"
        case .rollback: what = source == "monitor" ? "monitor says roll back" : "rolled back"
        case .hold: what = "monitor holds the rollout"
        case .pause: what = "rollout paused"
        case .resume: what = "rollout resumed"
        case .forced: what = "forced transition"
        }
        let weights =
            switch (fromWeight, weight) {
            case (let from?, let to?) where from != to: " (\(from) % → \(to) %)"
            case (_, let to?): " (\(to) %)"
            default: ""
            }
        return "\(agent) \(candidateVersion) vs \(baselineVersion): \(what)\(weights)\(forced ? ", forced" : "")"
    }

    /// The metrics that drove the decision: the regressed ones, else the primary and guardrail metrics.
    package var drivingMetrics: [Metric] {
        let regressed = metrics.filter { $0.status == .regressed }
        return regressed.isEmpty ? metrics.filter { $0.role != .signal } : regressed
    }

    /// A metric as `name: candidate vs baseline, Δ d [low, high] (status)`.
    package static func describe(_ metric: Metric) -> String {
        func number(_ value: Double?) -> String {
            guard let value else { return "–" }
            return value.magnitude >= 100 ? String(Int(value.rounded())) : String(format: "%.4g", value)
        }
        var text = "\(metric.name): \(number(metric.candidate)) vs \(number(metric.baseline))"
        if let difference = metric.difference { text += ", Δ \(number(difference))" }
        if let ratio = metric.ratio { text += ", ratio \(number(ratio))" }
        if metric.ciLow != nil || metric.ciHigh != nil {
            text += " [\(number(metric.ciLow)), \(number(metric.ciHigh))]"
        }
        return text + " (\(metric.status))"
    }

    enum CodingKeys: String, CodingKey {
        case schema, event, forced, source, agent, step, weight, decision, reasons, metrics, actor
        case runId = "run_id"
        case baselineVersion = "baseline_version"
        case candidateVersion = "candidate_version"
        case fromWeight = "from_weight"
        case reportURL = "report_url"
        case idempotencyKey = "idempotency_key"
        case createdAt = "created_at"
    }
}

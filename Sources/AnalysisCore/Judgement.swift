import Vocabulary

/// One arm's value of a metric.
package struct ArmValue: Codable, Equatable, Sendable {
    package var value: Double?
    /// Tasks (or pairs, feedback events) behind the value.
    package var n: Int
    /// Conversations behind the value, where the conversation is the unit.
    package var conversations: Int?
}

/// The judgement of one metric.
package struct MetricResult: Codable, Equatable, Sendable {
    package var name: String
    package var role: MetricRole
    package var direction: MetricDirection
    package var status: MetricStatus
    package var baseline: ArmValue
    package var candidate: ArmValue
    /// Candidate − baseline, for rates and scores.
    package var difference: Double?
    /// Candidate / baseline, for costs, tokens, steps, quantiles and rare events.
    package var ratio: Double?
    /// The always-valid confidence interval of the difference or ratio.
    package var ciLow: Double?
    package var ciHigh: Double?
    package var margin: Double
    /// The always-valid p-value against "the candidate is not worse" (one-sided, the metric's bad direction), where
    /// the method has one.
    package var pValue: Double?
    /// The error rate the metric is tested at (α split over the metrics of its role).
    package var alpha: Double
    package var method: String
    package var note: String?
}

/// The sample-ratio check.
package struct SampleRatioHealth: Codable, Equatable, Sendable {
    package var checked: Bool
    package var expectedCandidateShare: Double?
    package var baselineConversations: Int
    package var candidateConversations: Int
    package var pValue: Double?
    package var mismatch: Bool
}

/// Health checks, which come before the statistics.
package struct Health: Codable, Equatable, Sendable {
    package var sampleRatio: SampleRatioHealth
    /// Conversations seen on both versions: a routing fault.
    package var mixedVersionConversations: Int
    package var mixedVersionExamples: [String]
    /// Critical violations by the candidate.
    package var criticalViolations: Int
    package var criticalViolationExamples: [String]
    /// Whether each arm has the sample the step needs.
    package var enoughData: Bool
    package var minDurationMet: Bool
}

/// How much data the step needs and how long it should take.
package struct SampleRequirement: Codable, Equatable, Sendable {
    /// Candidate tasks (shadow pairs in shadow mode) needed before promotion, over the whole canary: the
    /// larger of the power calculation for the primary metrics' margins and their minimum samples. The step's
    /// own `min_tasks` counts the tasks since the step started.
    package var requiredCandidateTasks: Int
    /// The power calculation's own figure, at the observed baseline/candidate split.
    package var powerCalculationTasks: Int
    /// Baseline tasks needed at least (the primary metrics' minimum samples).
    package var baselineFloor: Int
    package var baselineTasks: Int
    package var candidateTasks: Int
    package var moreCandidateTasksNeeded: Int
    /// At the observed candidate traffic, the seconds that takes; `nil` when the traffic is unknown.
    package var estimatedSecondsRemaining: Int?
    package var power: Double
}

/// A segment's (category's) success rate and cost.
package struct SegmentResult: Codable, Equatable, Sendable {
    package var name: String
    package var successRate: MetricResult
    package var costPerTask: MetricResult?
}

/// The judgement of a look, computed from ``LookInputs`` by ``Judge``.
package struct Judgement: Codable, Equatable, Sendable {
    package var decision: Decision
    package var reasons: [String]
    package var health: Health
    package var sample: SampleRequirement
    package var metrics: [MetricResult]
    package var segments: [SegmentResult]
    package var shadow: ShadowSummary?
}

/// Shadow mode's agreement.
package struct ShadowSummary: Codable, Equatable, Sendable {
    package var pairs: Int
    package var agreements: Int
    package var disagreements: Int
}

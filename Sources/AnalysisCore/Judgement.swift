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
    /// The group-sequential look of a primary metric (`monitor.method: group-sequential`).
    package var sequential: SequentialLook? = nil
}

/// A primary metric's look in a group-sequential design: where the look stands in the planned information and
/// the boundary its statistic had to reach. The next look reads `information` back from the ledger.
package struct SequentialLook: Codable, Equatable, Sendable {
    /// 1 for the run's first look at this metric.
    package var look: Int
    /// The look's information, 1 / the variance of the estimate (on the test's scale).
    package var information: Double
    /// The information a fixed-horizon test of the margin needs at the metric's α and the policy's power.
    package var fixedInformation: Double
    /// The information the design plans: the fixed design's, times the spending function's inflation.
    package var plannedInformation: Double
    /// `information / plannedInformation`; at 1 or more the look is the final analysis.
    package var informationFraction: Double
    /// The standardized distance from the margin: (estimate − limit) / standard error, in the good direction.
    package var statistic: Double
    /// The boundary the statistic must reach at this look; `nil` once the final analysis has passed (no α left).
    package var boundary: Double?
    /// The α the design has spent up to this look.
    package var alphaSpent: Double
    /// Whether this or an earlier look was the final analysis.
    package var final: Bool
    /// The covariate adjustment the statistic and information include (`monitor.adjust_for`), if any.
    package var adjustment: CovariateAdjustment?
}

/// A look's adjustment for a covariate known before each task's outcome (post-stratification).
package struct CovariateAdjustment: Codable, Equatable, Sendable {
    /// The policy's covariate (`category`).
    package var covariate: String
    /// The strata used, after sparse ones were pooled (tasks without the covariate are a stratum).
    package var strata: Int
    /// The adjusted difference, candidate − baseline, that the statistic uses.
    package var difference: Double
    /// The plain difference, as the metric reports it.
    package var unadjustedDifference: Double
    /// 1 − adjusted variance / plain variance: the share of the estimate's variance the covariate removed.
    package var varianceReduction: Double
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

import Policy
import Statistics
import Vocabulary

/// Counts above a pooled quantile, per arm: the sufficient statistics of the quantile test.
package struct QuantileCounts: Codable, Equatable, Sendable {
    /// The quantile (0.5, 0.95, 0.99).
    package var quantile: Double
    /// The pooled sample's quantile, the threshold.
    package var threshold: Double
    /// Each arm's own quantile (for display and the practical-significance check).
    package var baselineQuantile: Double
    package var candidateQuantile: Double
    package var baselineAbove: Int
    package var baselineTotal: Int
    package var candidateAbove: Int
    package var candidateTotal: Int
}

/// Rare-event counts: tasks with a rogue action and tasks, per arm.
package struct RareCounts: Codable, Equatable, Sendable {
    package var baselineEvents: Int = 0
    package var baselineTasks: Int = 0
    package var candidateEvents: Int = 0
    package var candidateTasks: Int = 0
}

/// Category counts per arm (tool names or steps per task).
package struct CategoricalCounts: Codable, Equatable, Sendable {
    package var labels: [String] = []
    package var baseline: [Double] = []
    package var candidate: [Double] = []
}

/// One segment's (category's) task-level sums for success rate and cost.
package struct SegmentSums: Codable, Equatable, Sendable {
    package var name: String
    package var success: PerArm<ClusterSums>
    package var cost: PerArm<ClusterSums>

    /// Makes a segment's sums.
    package init(name: String, success: PerArm<ClusterSums>, cost: PerArm<ClusterSums>) {
        self.name = name
        self.success = success
        self.cost = cost
    }
}

/// Where the rollout stood at the look.
package struct StepContext: Codable, Equatable, Sendable {
    package var mode: RolloutMode
    package var stepIndex: Int?
    package var stepCount: Int?
    package var weight: Int?
    package var minTasks: Int
    package var minDurationSeconds: Int
    package var elapsedSeconds: Int?
    /// The rollout's phase (`progressing`, `paused`, …), `nil` without a rollout.
    package var phase: RolloutPhase?

    /// Makes a context.
    package init(
        mode: RolloutMode, stepIndex: Int?, stepCount: Int?, weight: Int?, minTasks: Int, minDurationSeconds: Int,
        elapsedSeconds: Int?, phase: RolloutPhase?
    ) {
        self.mode = mode
        self.stepIndex = stepIndex
        self.stepCount = stepCount
        self.weight = weight
        self.minTasks = minTasks
        self.minDurationSeconds = minDurationSeconds
        self.elapsedSeconds = elapsedSeconds
        self.phase = phase
    }
}

/// Everything a decision is computed from: counts and sufficient statistics, the policy in force and the
/// rollout's position. The ledger stores it with each look, and `monitor rejudge` recomputes the decision
/// from it alone.
package struct LookInputs: Codable, Equatable, Sendable {
    package var agent: String
    package var runId: String?
    package var baselineVersion: String
    package var candidateVersion: String
    package var step: StepContext
    package var monitor: MonitorSection
    package var policySha256: String

    /// Cluster (conversation) sums per ratio metric: index 0 baseline, 1 candidate.
    package var ratios: [String: PerArm<ClusterSums>]
    package var quantiles: [String: QuantileCounts]
    package var rogue: RareCounts
    package var toolMix: CategoricalCounts
    package var stepsMix: CategoricalCounts
    package var segments: [SegmentSums]
    /// Conversations per arm that started in the current step (sample-ratio check).
    package var stepConversations: PerArm<Int>
    package var conversations: PerArm<Int>
    package var tasks: PerArm<Int>
    /// Tasks per arm since the current step started (the step's `min_tasks` counts these).
    package var stepTasks: PerArm<Int>
    package var mixedConversations: Int
    package var mixedExamples: [String]
    package var criticalViolations: Int
    package var criticalExamples: [String]
    package var shadowPairs: Int
    package var shadowAgreements: Int
    /// Prometheus values per metric: [baseline, candidate], `nil` where the query returned no sample.
    package var prometheus: [String: PerArm<Double?>]
    /// Candidate tasks per second over the telemetry seen (for the time estimate), `nil` when unknown.
    package var candidateTaskRate: Double?
    /// The first and last event time seen, seconds since 1970.
    package var firstEventAt: Double?
    package var lastEventAt: Double?
    /// The traces this look read but could not make tasks of, by reason (absent in looks stored before it).
    package var unusable: [UnusableTelemetry]? = nil
    /// With `monitor.method: group-sequential`: each primary metric's information at the run's earlier looks,
    /// oldest first, as those looks recorded it (the spending state; absent otherwise).
    package var earlierInformation: [String: [Double]]? = nil
    /// With `monitor.method: group-sequential`: the primary metrics whose boundary an earlier look crossed (the
    /// design stopped there: they stay shown non-inferior unless a regression shows).
    package var sequentiallyShown: [String]? = nil
}

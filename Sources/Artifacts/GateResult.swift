import Vocabulary

/// The status of one gate criterion.
package enum CriterionStatus: String, Codable, Equatable, Sendable {
    case pass
    case fail
    case inconclusive
    /// Reported for information; it does not take part in the verdict.
    case info
    /// Too few tasks to judge (per-category rows below the policy's minimum).
    case insufficient
}

/// One metric of the gate, with the comparison and its status.
package struct GateMetric: Codable, Equatable, Sendable {
    /// `success_rate`, `pass_hat_k`, `cost_per_task`, `latency_p95_ms`, `unauthorized_actions`, …
    package var name: String
    /// How the candidate is compared: `difference` (candidate − baseline) or `ratio` (candidate / baseline).
    package var comparison: String
    /// Whether larger values are better (`higher`) or worse (`lower`).
    package var direction: String
    /// The baseline's value.
    package var baseline: Double?
    /// The candidate's value.
    package var candidate: Double?
    /// Candidate − baseline, for difference metrics.
    package var difference: Double?
    /// Candidate / baseline, for ratio metrics.
    package var ratio: Double?
    /// Lower end of the confidence interval of the difference or ratio.
    package var ciLow: Double?
    /// Upper end of the confidence interval of the difference or ratio.
    package var ciHigh: Double?
    /// A p-value, where the metric has a test (exact McNemar for single-trial success).
    package var pValue: Double?
    /// The policy's limit: the worst acceptable difference or ratio, or the budget of a count.
    package var threshold: Double?
    /// The criterion's status.
    package var status: CriterionStatus
    /// The statistical method, for example `paired-bootstrap-percentile`.
    package var method: String
    /// For an inconclusive criterion: about how many matched tasks would settle it, if the observed
    /// effect and spread hold.
    package var tasksNeeded: Int?

    /// Makes a metric row.
    package init(
        name: String, comparison: String, direction: String, baseline: Double?, candidate: Double?,
        difference: Double? = nil, ratio: Double? = nil, ciLow: Double? = nil, ciHigh: Double? = nil,
        pValue: Double? = nil, threshold: Double? = nil, status: CriterionStatus, method: String,
        tasksNeeded: Int? = nil
    ) {
        self.name = name
        self.comparison = comparison
        self.direction = direction
        self.baseline = baseline
        self.candidate = candidate
        self.difference = difference
        self.ratio = ratio
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.pValue = pValue
        self.threshold = threshold
        self.status = status
        self.method = method
        self.tasksNeeded = tasksNeeded
    }
}

/// Task success in one category, compared like the overall success rate.
package struct GateCategory: Codable, Equatable, Sendable {
    /// The category name from the suite.
    package var category: String
    /// Matched tasks in the category.
    package var tasks: Int
    /// The category's success metric.
    package var successRate: GateMetric

    /// Makes a category row.
    package init(category: String, tasks: Int, successRate: GateMetric) {
        self.category = category
        self.tasks = tasks
        self.successRate = successRate
    }
}

/// How many tasks and attempts the comparison used.
package struct GateTaskCounts: Codable, Equatable, Sendable {
    /// Tasks present on both sides (with at least one non-infrastructure attempt on each).
    package var matched: Int
    /// Tasks present only in the baseline's results.
    package var baselineOnly: Int
    /// Tasks present only in the candidate's results.
    package var candidateOnly: Int
    /// Up to 20 of the unmatched task ids, sorted, for the person reading the artifact.
    package var unmatchedExamples: [String]
    /// Attempts counted on the baseline side.
    package var baselineAttempts: Int
    /// Attempts counted on the candidate side.
    package var candidateAttempts: Int
    /// Baseline attempts left out as infrastructure errors.
    package var baselineInfraErrors: Int
    /// Candidate attempts left out as infrastructure errors.
    package var candidateInfraErrors: Int
    /// Trials per task (the smallest number over matched tasks and both sides).
    package var minTrials: Int

    /// Makes task counts.
    package init(
        matched: Int, baselineOnly: Int, candidateOnly: Int, unmatchedExamples: [String], baselineAttempts: Int,
        candidateAttempts: Int, baselineInfraErrors: Int, candidateInfraErrors: Int, minTrials: Int
    ) {
        self.matched = matched
        self.baselineOnly = baselineOnly
        self.candidateOnly = candidateOnly
        self.unmatchedExamples = unmatchedExamples
        self.baselineAttempts = baselineAttempts
        self.candidateAttempts = candidateAttempts
        self.baselineInfraErrors = baselineInfraErrors
        self.candidateInfraErrors = candidateInfraErrors
        self.minTrials = minTrials
    }
}

/// The statistical settings a gate ran with, so that its result can be reproduced.
package struct GateMethod: Codable, Equatable, Sendable {
    /// Two-sided confidence level of the intervals.
    package var confidence: Double
    /// Number of bootstrap resamples.
    package var bootstrapResamples: Int
    /// Seed of the bootstrap's random generator.
    package var seed: UInt64
    /// The k of pass^k.
    package var passK: Int
    /// The pass threshold applied to `score` rows.
    package var scoreThreshold: Double

    /// Makes method settings.
    package init(confidence: Double, bootstrapResamples: Int, seed: UInt64, passK: Int, scoreThreshold: Double) {
        self.confidence = confidence
        self.bootstrapResamples = bootstrapResamples
        self.seed = seed
        self.passK = passK
        self.scoreThreshold = scoreThreshold
    }
}

/// The artifact `benchmark-gate` writes (`schemas/gate-result.schema.json`).
package typealias GateResult = Enveloped<GateResultFields>

/// The fields of ``GateResult`` after its envelope.
package struct GateResultFields: ArtifactFields {
    /// The schema identifier of this artifact.
    package static let schemaID = "agent-canary/gate-result/v1"

    /// The agent being released.
    package var agent: String
    /// The version the candidate is compared with.
    package var baselineVersion: String
    /// The version being released.
    package var candidateVersion: String
    /// The suite's input format on each side (`native` or `inspect`).
    package var formats: [String: String]
    /// pass, fail or inconclusive.
    package var verdict: GateVerdict
    /// Whether this verdict stops the pipeline (exit status 1).
    package var blocking: Bool
    /// One sentence per criterion that did not pass; empty when everything passed.
    package var reasons: [String]
    /// Observations that are not criteria: unmatched tasks, metrics left out for lack of data.
    package var notes: [String]
    /// The gate's criteria and informational metrics.
    package var metrics: [GateMetric]
    /// Per-category task success.
    package var categories: [GateCategory]
    /// Task and attempt counts.
    package var tasks: GateTaskCounts
    /// The statistical settings.
    package var method: GateMethod
    /// SHA-256 of the release policy in force (of the built-in defaults when no policy file was given).
    package var policySha256: String

    /// Makes the fields of a gate result.
    package init(
        agent: String, baselineVersion: String, candidateVersion: String,
        formats: [String: String], verdict: GateVerdict, blocking: Bool, reasons: [String], notes: [String],
        metrics: [GateMetric], categories: [GateCategory], tasks: GateTaskCounts, method: GateMethod,
        policySha256: String
    ) {
        self.agent = agent
        self.baselineVersion = baselineVersion
        self.candidateVersion = candidateVersion
        self.formats = formats
        self.verdict = verdict
        self.blocking = blocking
        self.reasons = reasons
        self.notes = notes
        self.metrics = metrics
        self.categories = categories
        self.tasks = tasks
        self.method = method
        self.policySha256 = policySha256
    }
}

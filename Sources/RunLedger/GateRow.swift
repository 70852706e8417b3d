import Vocabulary

/// A gate as the ledger stores it: its verdict, the suite's counts, the method and one row per criterion.
/// `benchmark-gate` makes it from its artifact; the ledger knows nothing of the artifact's shape.
package struct GateRow: Sendable, Equatable {
    package var runId: String
    package var agent: String
    package var candidateVersion: String
    package var baselineVersion: String
    package var verdict: GateVerdict
    package var blocking: Bool
    package var reasons: [String]
    package var policySha256: String
    package var matchedTasks: Int
    /// Tasks in one suite only.
    package var unmatchedTasks: Int
    package var baselineInfraErrors: Int
    package var candidateInfraErrors: Int
    package var confidence: Double
    package var bootstrapResamples: Int
    package var seed: UInt64
    package var createdAt: String
    /// The whole suite's criteria, then each category's success rate.
    package var metrics: [GateMetricRow]

    /// Describes a gate.
    package init(
        runId: String, agent: String, candidateVersion: String, baselineVersion: String, verdict: GateVerdict,
        blocking: Bool, reasons: [String], policySha256: String, matchedTasks: Int, unmatchedTasks: Int,
        baselineInfraErrors: Int, candidateInfraErrors: Int, confidence: Double, bootstrapResamples: Int,
        seed: UInt64, createdAt: String, metrics: [GateMetricRow]
    ) {
        self.runId = runId
        self.agent = agent
        self.candidateVersion = candidateVersion
        self.baselineVersion = baselineVersion
        self.verdict = verdict
        self.blocking = blocking
        self.reasons = reasons
        self.policySha256 = policySha256
        self.matchedTasks = matchedTasks
        self.unmatchedTasks = unmatchedTasks
        self.baselineInfraErrors = baselineInfraErrors
        self.candidateInfraErrors = candidateInfraErrors
        self.confidence = confidence
        self.bootstrapResamples = bootstrapResamples
        self.seed = seed
        self.createdAt = createdAt
        self.metrics = metrics
    }
}

/// One criterion of a gate as the ledger stores it.
package struct GateMetricRow: Sendable, Equatable {
    /// The category it was computed over; empty for the whole suite.
    package var category: String
    package var name: String
    package var baseline: Double?
    package var candidate: Double?
    package var difference: Double?
    package var ratio: Double?
    package var ciLow: Double?
    package var ciHigh: Double?
    package var pValue: Double?
    package var threshold: Double?
    /// The criterion's status (`pass`, `fail`, `inconclusive`, `info`, `insufficient`).
    package var status: String
    package var method: String
    package var tasksNeeded: Int?

    /// Describes a criterion.
    package init(
        category: String, name: String, baseline: Double?, candidate: Double?, difference: Double?, ratio: Double?,
        ciLow: Double?, ciHigh: Double?, pValue: Double?, threshold: Double?, status: String, method: String,
        tasksNeeded: Int?
    ) {
        self.category = category
        self.name = name
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

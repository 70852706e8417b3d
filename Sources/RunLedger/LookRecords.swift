import Vocabulary

/// One metric of a look, as a row.
package struct LookMetricRow: Sendable, Equatable {
    package var name: String
    package var role: MetricRole
    package var status: MetricStatus
    package var baselineValue: Double?
    package var candidateValue: Double?
    package var baselineN: Int
    package var candidateN: Int
    package var difference: Double?
    package var ratio: Double?
    package var ciLow: Double?
    package var ciHigh: Double?
    package var method: String

    /// Makes a row.
    package init(
        name: String, role: MetricRole, status: MetricStatus, baselineValue: Double?, candidateValue: Double?,
        baselineN: Int,
        candidateN: Int, difference: Double?, ratio: Double?, ciLow: Double?, ciHigh: Double?, method: String
    ) {
        self.name = name
        self.role = role
        self.status = status
        self.baselineValue = baselineValue
        self.candidateValue = candidateValue
        self.baselineN = baselineN
        self.candidateN = candidateN
        self.difference = difference
        self.ratio = ratio
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.method = method
    }
}

/// A stored look.
package struct LookRow: Sendable, Equatable {
    package var id: Int64
    package var runId: String?
    package var agent: String
    package var baselineVersion: String
    package var candidateVersion: String
    package var mode: RolloutMode
    package var stepIndex: Int?
    package var weight: Int?
    package var decision: Decision
    package var policySha256: String
    package var inputsJSON: String
    package var judgementJSON: String
    package var analysisSha256: String
    package var createdAt: String

    /// The columns of `monitor_looks` (without `stage_id`), in the order the row reads them.
    enum Column: Int, LedgerColumns {
        case id, runId, agent, baselineVersion, candidateVersion, mode, stepIndex, weight, decision, policySha256
        case inputsJson, judgementJson, analysisSha256, createdAt
    }

    init(row: SQLRow) throws {
        self.init(
            id: try row[Column.id], runId: try row[Column.runId], agent: try row[Column.agent],
            baselineVersion: try row[Column.baselineVersion], candidateVersion: try row[Column.candidateVersion],
            mode: try row[Column.mode], stepIndex: try row[Column.stepIndex], weight: try row[Column.weight],
            decision: try row[Column.decision], policySha256: try row[Column.policySha256],
            inputsJSON: try row[Column.inputsJson], judgementJSON: try row[Column.judgementJson],
            analysisSha256: try row[Column.analysisSha256], createdAt: try row[Column.createdAt])
    }

    /// Makes a row (`id` is assigned when it is recorded).
    package init(
        id: Int64, runId: String?, agent: String, baselineVersion: String, candidateVersion: String, mode: RolloutMode,
        stepIndex: Int?, weight: Int?, decision: Decision, policySha256: String, inputsJSON: String,
        judgementJSON: String, analysisSha256: String, createdAt: String
    ) {
        self.id = id
        self.runId = runId
        self.agent = agent
        self.baselineVersion = baselineVersion
        self.candidateVersion = candidateVersion
        self.mode = mode
        self.stepIndex = stepIndex
        self.weight = weight
        self.decision = decision
        self.policySha256 = policySha256
        self.inputsJSON = inputsJSON
        self.judgementJSON = judgementJSON
        self.analysisSha256 = analysisSha256
        self.createdAt = createdAt
    }
}

/// Everything one look writes, in one transaction.
package struct LookWrite: Sendable {
    package var look: LookRow
    package var metrics: [LookMetricRow]
    package var stage: StageInvocation?
    package var tasks: [TelemetryTaskRow] = []
    package var feedback: [TelemetryFeedbackRow] = []
    package var violations: [TelemetryViolationRow] = []
    package var shadow: [TelemetryShadowRow] = []
    package var cursors: [TelemetryCursor] = []
    /// Stored successes whose content leaves the sample.
    package var unsampled: [String] = []
    /// Stored shadow rows whose agreement became known.
    package var shadowAgreements: [String: Bool] = [:]
    /// The look's new rows, waiting outside memory (after the rows above).
    package var spill: TelemetrySpill?

    /// A write of `look` with its metrics.
    package init(look: LookRow, metrics: [LookMetricRow], stage: StageInvocation?) {
        self.look = look
        self.metrics = metrics
        self.stage = stage
    }
}

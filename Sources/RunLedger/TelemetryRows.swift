import Foundation
import Vocabulary

/// A task of a run's canary as the ledger keeps it.
package struct TelemetryTaskRow: Sendable, Equatable {
    package var eventKey: String
    package var arm: Arm
    package var version: String
    package var stepIndex: Int?
    package var conversationId: String
    package var taskId: String
    package var requestId: String?
    package var traceId: String?
    package var spanId: String?
    package var timestamp: Double
    package var outcome: TaskOutcome
    package var costUSD: Double?
    package var costSource: String?
    package var latencyMs: Double?
    package var inputTokens: Double?
    package var outputTokens: Double?
    package var steps: Double?
    /// JSON array of {name, authorized}.
    package var toolCalls: String
    package var unauthorized: Int
    package var category: String?
    package var judgeScore: Double?
    /// A uniform key in [0, 1) from the event key; the successes with the smallest keep their content.
    package var sampleKey: Double
    package var sampled: Bool
    package var input: String?
    package var output: String?

    /// Makes a row.
    package init(
        eventKey: String, arm: Arm, version: String, stepIndex: Int?, conversationId: String, taskId: String,
        requestId: String?, traceId: String?, spanId: String?, timestamp: Double, outcome: TaskOutcome,
        costUSD: Double?,
        costSource: String?, latencyMs: Double?, inputTokens: Double?, outputTokens: Double?, steps: Double?,
        toolCalls: String, unauthorized: Int, category: String?, judgeScore: Double?, sampleKey: Double,
        sampled: Bool, input: String?, output: String?
    ) {
        self.eventKey = eventKey
        self.arm = arm
        self.version = version
        self.stepIndex = stepIndex
        self.conversationId = conversationId
        self.taskId = taskId
        self.requestId = requestId
        self.traceId = traceId
        self.spanId = spanId
        self.timestamp = timestamp
        self.outcome = outcome
        self.costUSD = costUSD
        self.costSource = costSource
        self.latencyMs = latencyMs
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.steps = steps
        self.toolCalls = toolCalls
        self.unauthorized = unauthorized
        self.category = category
        self.judgeScore = judgeScore
        self.sampleKey = sampleKey
        self.sampled = sampled
        self.input = input
        self.output = output
    }
}

/// A feedback event as the ledger keeps it.
package struct TelemetryFeedbackRow: Sendable, Equatable {
    package var eventKey: String
    package var arm: Arm
    package var version: String
    package var taskId: String?
    package var conversationId: String?
    package var timestamp: Double
    package var rating: Int?
    package var thumbsUp: Bool?
    package var comment: String?

    /// Makes a row.
    package init(
        eventKey: String, arm: Arm, version: String, taskId: String?, conversationId: String?, timestamp: Double,
        rating: Int?, thumbsUp: Bool?, comment: String?
    ) {
        self.eventKey = eventKey
        self.arm = arm
        self.version = version
        self.taskId = taskId
        self.conversationId = conversationId
        self.timestamp = timestamp
        self.rating = rating
        self.thumbsUp = thumbsUp
        self.comment = comment
    }
}

/// A violation as the ledger keeps it.
package struct TelemetryViolationRow: Sendable, Equatable {
    package var eventKey: String
    package var arm: Arm
    package var version: String
    package var taskId: String
    package var conversationId: String
    package var timestamp: Double
    package var action: String
    package var severity: ViolationSeverity
    package var policy: String?

    /// Makes a row.
    package init(
        eventKey: String, arm: Arm, version: String, taskId: String, conversationId: String, timestamp: Double,
        action: String, severity: ViolationSeverity, policy: String?
    ) {
        self.eventKey = eventKey
        self.arm = arm
        self.version = version
        self.taskId = taskId
        self.conversationId = conversationId
        self.timestamp = timestamp
        self.action = action
        self.severity = severity
        self.policy = policy
    }
}

/// A shadow proposal as the ledger keeps it.
package struct TelemetryShadowRow: Sendable, Equatable {
    package var eventKey: String
    package var version: String
    package var requestId: String
    package var conversationId: String
    package var timestamp: Double
    /// JSON array of {name}.
    package var proposedToolCalls: String
    package var output: String?
    package var agrees: Bool?

    /// Makes a row.
    package init(
        eventKey: String, version: String, requestId: String, conversationId: String, timestamp: Double,
        proposedToolCalls: String, output: String?, agrees: Bool?
    ) {
        self.eventKey = eventKey
        self.version = version
        self.requestId = requestId
        self.conversationId = conversationId
        self.timestamp = timestamp
        self.proposedToolCalls = proposedToolCalls
        self.output = output
        self.agrees = agrees
    }
}

/// How far a telemetry file has been read.
package struct TelemetryCursor: Sendable, Equatable {
    /// The path as given.
    package var source: String
    /// What identifies the file's content: device, inode and a hash of its first bytes.
    package var identity: String
    package var offset: Int
    /// Lines before `offset`, so messages name the file's own line numbers.
    package var line: Int

    /// Makes a cursor.
    package init(source: String, identity: String, offset: Int, line: Int) {
        self.source = source
        self.identity = identity
        self.offset = offset
        self.line = line
    }
}

// The columns of the telemetry tables: each row type reads and writes its table's columns after `run_id`
// (`event_key` first); `look_id` is the look that stored it.

extension TelemetryTaskRow {
    /// The columns of `telemetry_tasks` after `run_id` and `look_id`, in the order the row reads them.
    enum Column: Int, LedgerColumns {
        case eventKey, arm, version, stepIndex, conversationId, taskId, requestId, traceId, spanId, ts, outcome
        case costUsd, costSource, latencyMs, inputTokens, outputTokens, steps, toolCalls, unauthorized, category
        case judgeScore, sampleKey, sampled, input, output
    }

    /// The table's columns as ``values`` fill them, after `run_id`, `event_key` and `look_id`.
    static let columns = ["run_id", "event_key", "look_id"] + Column.allCases.dropFirst().map(\.name)

    /// The values of every column after `event_key`, in ``Column`` order.
    var values: [SQLValue] {
        var values: [SQLValue] = []
        append(to: &values)
        return values
    }

    /// Appends ``values`` to `row` (one allocation for a whole row on the monitor's hot path).
    func append(to row: inout [SQLValue]) {
        row.reserveCapacity(row.count + 26)
        for value in [
            arm.sqlValue, version.sqlValue, stepIndex.sqlValue, conversationId.sqlValue, taskId.sqlValue,
            requestId.sqlValue, traceId.sqlValue, spanId.sqlValue, timestamp.sqlValue, outcome.sqlValue,
            costUSD.sqlValue, costSource.sqlValue, latencyMs.sqlValue, inputTokens.sqlValue, outputTokens.sqlValue,
            steps.sqlValue, toolCalls.sqlValue, unauthorized.sqlValue, category.sqlValue, judgeScore.sqlValue,
            sampleKey.sqlValue, sampled.sqlValue, input.sqlValue, output.sqlValue,
        ] {
            row.append(value)
        }
    }

    init(row: SQLRow) throws {
        self.init(
            eventKey: try row[Column.eventKey], arm: try row[Column.arm], version: try row[Column.version],
            stepIndex: try row[Column.stepIndex], conversationId: try row[Column.conversationId],
            taskId: try row[Column.taskId], requestId: try row[Column.requestId], traceId: try row[Column.traceId],
            spanId: try row[Column.spanId], timestamp: try row[Column.ts], outcome: try row[Column.outcome],
            costUSD: try row[Column.costUsd], costSource: try row[Column.costSource],
            latencyMs: try row[Column.latencyMs], inputTokens: try row[Column.inputTokens],
            outputTokens: try row[Column.outputTokens], steps: try row[Column.steps],
            toolCalls: try row[Column.toolCalls], unauthorized: try row[Column.unauthorized],
            category: try row[Column.category], judgeScore: try row[Column.judgeScore],
            sampleKey: try row[Column.sampleKey], sampled: try row[Column.sampled], input: try row[Column.input],
            output: try row[Column.output])
    }
}

extension TelemetryFeedbackRow {
    /// The columns of `telemetry_feedback` after `run_id` and `look_id`, in the order the row reads them.
    enum Column: Int, LedgerColumns {
        case eventKey, arm, version, taskId, conversationId, ts, rating, thumbsUp, comment
    }

    static let columns = ["run_id", "event_key", "look_id"] + Column.allCases.dropFirst().map(\.name)

    var values: [SQLValue] {
        [
            arm.sqlValue, version.sqlValue, taskId.sqlValue, conversationId.sqlValue, timestamp.sqlValue,
            rating.sqlValue, thumbsUp.sqlValue, comment.sqlValue,
        ]
    }

    init(row: SQLRow) throws {
        self.init(
            eventKey: try row[Column.eventKey], arm: try row[Column.arm], version: try row[Column.version],
            taskId: try row[Column.taskId], conversationId: try row[Column.conversationId],
            timestamp: try row[Column.ts],
            rating: try row[Column.rating], thumbsUp: try row[Column.thumbsUp], comment: try row[Column.comment])
    }
}

extension TelemetryViolationRow {
    /// The columns of `telemetry_violations` after `run_id` and `look_id`, in the order the row reads them.
    enum Column: Int, LedgerColumns {
        case eventKey, arm, version, taskId, conversationId, ts, action, severity, policy
    }

    static let columns = ["run_id", "event_key", "look_id"] + Column.allCases.dropFirst().map(\.name)

    var values: [SQLValue] {
        [
            arm.sqlValue, version.sqlValue, taskId.sqlValue, conversationId.sqlValue, timestamp.sqlValue,
            action.sqlValue, severity.sqlValue, policy.sqlValue,
        ]
    }

    init(row: SQLRow) throws {
        self.init(
            eventKey: try row[Column.eventKey], arm: try row[Column.arm], version: try row[Column.version],
            taskId: try row[Column.taskId], conversationId: try row[Column.conversationId],
            timestamp: try row[Column.ts],
            action: try row[Column.action], severity: try row[Column.severity], policy: try row[Column.policy])
    }
}

extension TelemetryShadowRow {
    /// The columns of `telemetry_shadow` after `run_id` and `look_id`, in the order the row reads them.
    enum Column: Int, LedgerColumns {
        case eventKey, version, requestId, conversationId, ts, proposedToolCalls, output, agrees
    }

    static let columns = ["run_id", "event_key", "look_id"] + Column.allCases.dropFirst().map(\.name)

    var values: [SQLValue] {
        [
            version.sqlValue, requestId.sqlValue, conversationId.sqlValue, timestamp.sqlValue,
            proposedToolCalls.sqlValue, output.sqlValue, agrees.sqlValue,
        ]
    }

    init(row: SQLRow) throws {
        self.init(
            eventKey: try row[Column.eventKey], version: try row[Column.version], requestId: try row[Column.requestId],
            conversationId: try row[Column.conversationId], timestamp: try row[Column.ts],
            proposedToolCalls: try row[Column.proposedToolCalls], output: try row[Column.output],
            agrees: try row[Column.agrees])
    }
}

extension Optional where Wrapped: SQLBindable {
    /// The value as bound; `nil` is NULL.
    var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

import Foundation

/// The input formats `benchmark-gate` reads.
package enum BenchmarkFormat: String, Codable, Sendable {
    /// AgentCanary's own rows, JSONL or a JSON array (`schemas/benchmark-results.schema.json`).
    case native
    /// An Inspect AI evaluation log in JSON form.
    case inspect
}

/// Why an attempt did not produce a judged result.
package enum AttemptError: String, Codable, Sendable {
    /// The agent failed; counts as a failed attempt.
    case agent
    /// The harness or a service failed; the attempt is left out of every denominator.
    case infra
}

/// One attempt (task × trial) of a benchmark suite.
package struct BenchmarkAttempt: Equatable, Sendable {
    /// The task's id, the same on both sides of a comparison.
    package var taskId: String
    /// The trial (epoch) number.
    package var trial: Int
    /// The task's category, for per-category results.
    package var category: String?
    /// Success, when the row says so directly.
    package var success: Bool?
    /// A score in [0, 1], when the row is scored; success is `score >= threshold`.
    package var score: Double?
    /// Cost in US dollars.
    package var costUSD: Double?
    /// Wall-clock latency in milliseconds.
    package var latencyMs: Double?
    /// Input tokens.
    package var inputTokens: Double?
    /// Output tokens.
    package var outputTokens: Double?
    /// Agent steps.
    package var steps: Double?
    /// Unauthorized (rogue) actions in the attempt.
    package var unauthorizedActions: Int
    /// An error, if the attempt had one.
    package var error: AttemptError?
    /// The line of the input it came from (for JSON documents, the line where its element starts).
    package var line: Int

    /// Makes an attempt.
    package init(
        taskId: String, trial: Int, category: String? = nil, success: Bool? = nil, score: Double? = nil,
        costUSD: Double? = nil, latencyMs: Double? = nil, inputTokens: Double? = nil, outputTokens: Double? = nil,
        steps: Double? = nil, unauthorizedActions: Int = 0, error: AttemptError? = nil, line: Int = 0
    ) {
        self.taskId = taskId
        self.trial = trial
        self.category = category
        self.success = success
        self.score = score
        self.costUSD = costUSD
        self.latencyMs = latencyMs
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.steps = steps
        self.unauthorizedActions = unauthorizedActions
        self.error = error
        self.line = line
    }

    /// Whether the attempt succeeded, given the policy's score threshold. Agent errors are failures.
    package func succeeded(scoreThreshold: Double) -> Bool {
        if error == .agent { return false }
        if let success { return success }
        return (score ?? 0) >= scoreThreshold
    }
}

/// One side's results on a benchmark suite, as read from a file.
package struct BenchmarkSuite: Sendable {
    /// The path the results were read from.
    package var path: String
    /// SHA-256 of the file's bytes.
    package var sha256: String
    /// The detected format.
    package var format: BenchmarkFormat
    /// Every attempt, in file order.
    package var attempts: [BenchmarkAttempt]
    /// The agent version the file says it holds: the rows' `version` field, or an Inspect log's
    /// `eval.metadata.agent_version` or `eval.model`.
    package var declaredVersion: String?
    /// The file's bytes, kept so the ledger can store them for later gates.
    package var content: Data

    /// Makes a suite.
    package init(
        path: String, sha256: String, format: BenchmarkFormat, attempts: [BenchmarkAttempt],
        declaredVersion: String? = nil, content: Data = Data()
    ) {
        self.content = content
        self.path = path
        self.sha256 = sha256
        self.format = format
        self.attempts = attempts
        self.declaredVersion = declaredVersion
    }
}

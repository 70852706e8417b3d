import Foundation
import JSONLines

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

    /// Makes a suite.
    package init(
        path: String, sha256: String, format: BenchmarkFormat, attempts: [BenchmarkAttempt],
        declaredVersion: String? = nil
    ) {
        self.path = path
        self.sha256 = sha256
        self.format = format
        self.attempts = attempts
        self.declaredVersion = declaredVersion
    }
}

extension BenchmarkSuite {
    /// The attempts as native JSONL with only the fields a gate reads, in file order.
    ///
    /// The ledger keeps this form instead of the original file: it reads back as the same attempts
    /// (`--baseline-from-ledger`) at a fraction of the size of logs that carry messages and tool calls.
    package func normalizedJSONL() -> Data {
        var out = [UInt8]()
        out.reserveCapacity(attempts.count * 200)
        func append(_ text: String) { out.append(contentsOf: text.utf8) }
        func number(_ key: String, _ value: Double?) {
            guard let value else { return }
            append(",\"\(key)\":")
            append(value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value))
        }
        let version = declaredVersion.map(jsonStringLiteral)
        for attempt in attempts {
            append("{\"task_id\":")
            append(jsonStringLiteral(attempt.taskId))
            append(",\"trial\":\(attempt.trial)")
            if let category = attempt.category {
                append(",\"category\":")
                append(jsonStringLiteral(category))
            }
            if let version { append(",\"version\":" + version) }
            if let success = attempt.success { append(success ? ",\"success\":true" : ",\"success\":false") }
            number("score", attempt.score)
            number("cost_usd", attempt.costUSD)
            number("latency_ms", attempt.latencyMs)
            number("input_tokens", attempt.inputTokens)
            number("output_tokens", attempt.outputTokens)
            number("steps", attempt.steps)
            if attempt.unauthorizedActions > 0 { append(",\"unauthorized_actions\":\(attempt.unauthorizedActions)") }
            if let error = attempt.error { append(",\"error\":\"\(error.rawValue)\"") }
            out.append(contentsOf: "}\n".utf8)
        }
        return Data(out)
    }
}

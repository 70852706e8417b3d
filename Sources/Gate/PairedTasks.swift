import BenchmarkResults

/// Per-task totals of one side of a suite.
struct TaskTotals {
    var attempts = 0
    var successes = 0
    var costSum = 0.0
    var costCount = 0
    var tokenSum = 0.0
    var tokenCount = 0
    var stepSum = 0.0
    var stepCount = 0
    var unauthorized = 0
    var category: String?
}

/// The two sides of a suite matched task by task, infrastructure errors left out.
struct PairedTasks {
    /// Matched task ids, sorted, so results do not depend on the order of the input rows.
    var ids: [String] = []
    var baseline: [TaskTotals] = []
    var candidate: [TaskTotals] = []
    /// Latencies of every counted attempt with the index of its task, per side.
    var baselineLatencies: [(Double, Int32)] = []
    var candidateLatencies: [(Double, Int32)] = []
    var baselineOnly: [String] = []
    var candidateOnly: [String] = []
    var baselineInfraErrors = 0
    var candidateInfraErrors = 0
    var baselineAttempts = 0
    var candidateAttempts = 0

    init(baseline baselineRows: [BenchmarkAttempt], candidate candidateRows: [BenchmarkAttempt], scoreThreshold: Double)
    {
        let baselineTotals = Self.totals(baselineRows, scoreThreshold: scoreThreshold, infra: &baselineInfraErrors)
        let candidateTotals = Self.totals(candidateRows, scoreThreshold: scoreThreshold, infra: &candidateInfraErrors)
        ids = baselineTotals.keys.filter { candidateTotals[$0] != nil }.sorted()
        baselineOnly = baselineTotals.keys.filter { candidateTotals[$0] == nil }.sorted()
        candidateOnly = candidateTotals.keys.filter { baselineTotals[$0] == nil }.sorted()
        var index: [String: Int32] = [:]
        for (position, id) in ids.enumerated() {
            index[id] = Int32(position)
            baseline.append(baselineTotals[id] ?? TaskTotals())
            candidate.append(candidateTotals[id] ?? TaskTotals())
        }
        baselineAttempts = baseline.reduce(0) { $0 + $1.attempts }
        candidateAttempts = candidate.reduce(0) { $0 + $1.attempts }
        baselineLatencies = Self.latencies(baselineRows, index: index)
        candidateLatencies = Self.latencies(candidateRows, index: index)
    }

    var count: Int { ids.count }

    private static func totals(_ attempts: [BenchmarkAttempt], scoreThreshold: Double, infra: inout Int)
        -> [String: TaskTotals]
    {
        var totals: [String: TaskTotals] = [:]
        for attempt in attempts {
            if attempt.error == .infra {
                infra += 1
                continue
            }
            totals[attempt.taskId, default: TaskTotals()].add(attempt, scoreThreshold: scoreThreshold)
        }
        return totals
    }

    private static func latencies(_ attempts: [BenchmarkAttempt], index: [String: Int32]) -> [(Double, Int32)] {
        attempts.compactMap { attempt in
            guard attempt.error != .infra, let latency = attempt.latencyMs, let task = index[attempt.taskId] else {
                return nil
            }
            return (latency, task)
        }.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
    }
}

extension TaskTotals {
    mutating func add(_ attempt: BenchmarkAttempt, scoreThreshold: Double) {
        attempts += 1
        if attempt.succeeded(scoreThreshold: scoreThreshold) { successes += 1 }
        if let cost = attempt.costUSD {
            costSum += cost
            costCount += 1
        }
        if attempt.inputTokens != nil || attempt.outputTokens != nil {
            tokenSum += (attempt.inputTokens ?? 0) + (attempt.outputTokens ?? 0)
            tokenCount += 1
        }
        if let steps = attempt.steps {
            stepSum += steps
            stepCount += 1
        }
        unauthorized += attempt.unauthorizedActions
        if category == nil { category = attempt.category }
    }

    var successRate: Double { attempts > 0 ? Double(successes) / Double(attempts) : 0 }
    var meanCost: Double? { costCount > 0 ? costSum / Double(costCount) : nil }
    var meanTokens: Double? { tokenCount > 0 ? tokenSum / Double(tokenCount) : nil }
    var meanSteps: Double? { stepCount > 0 ? stepSum / Double(stepCount) : nil }
}

import Artifacts
import BenchmarkResults
import Foundation
import Policy
import Statistics
import Vocabulary

/// What the comparison of two suites found, before it is wrapped in an artifact.
package struct GateEvaluation: Sendable, Equatable {
    package var verdict: GateVerdict
    package var blocking: Bool
    package var reasons: [String]
    package var notes: [String]
    package var metrics: [GateMetric]
    package var categories: [GateCategory]
    package var tasks: GateTaskCounts
    package var method: GateMethod
    /// Category regressions that only warn (`gate.categories.on_regression: warn`).
    package var warnings: [String]
}

/// Compares a candidate's benchmark results with its baseline's (a paired design: the same tasks on both).
///
/// Task success is compared on per-task success fractions, so every task weighs the same whatever its
/// number of trials; the interval is a seeded paired percentile bootstrap over tasks, and with one trial
/// per task the exact McNemar test is reported too. Cost and token use are ratios of means, latency a ratio
/// of 95th percentiles, each with the same bootstrap. Each criterion is a non-inferiority test against the
/// policy's margin.
package enum GateEvaluator {
    /// Compares `candidate` with `baseline` under the policy's gate section.
    package static func evaluate(
        candidate: [BenchmarkAttempt], baseline: [BenchmarkAttempt], candidatePath: String, baselinePath: String,
        gate: GateSection
    ) throws(GateError) -> GateEvaluation {
        let paired = PairedTasks(baseline: baseline, candidate: candidate, scoreThreshold: gate.scoreThreshold)
        let unmatched = paired.baselineOnly + paired.candidateOnly
        guard paired.count > 0 else {
            throw .noMatchedTasks(candidate: candidatePath, baseline: baselinePath)
        }
        let share = Double(unmatched.count) / Double(unmatched.count + paired.count)
        if share > gate.maxUnmatchedShare {
            throw .tooManyUnmatched(share: share, limit: gate.maxUnmatchedShare, examples: unmatched.sorted())
        }
        var notes: [String] = []
        if !unmatched.isEmpty {
            notes.append(
                "\(unmatched.count) task(s) present on one side only were left out: "
                    + unmatched.sorted().prefix(10).joined(separator: ", "))
        }
        if paired.baselineInfraErrors + paired.candidateInfraErrors > 0 {
            notes.append(
                "infrastructure errors left out of every denominator: \(paired.baselineInfraErrors) baseline, "
                    + "\(paired.candidateInfraErrors) candidate attempt(s)")
        }
        let minTrials = zip(paired.baseline, paired.candidate).map { min($0.attempts, $1.attempts) }.min() ?? 0
        let overall = MetricSet(paired: paired, gate: gate)
        var metrics = overall.compute(
            taskIndices: Array(0..<paired.count), confidence: gate.confidence, seed: gate.seed,
            includeAll: true, notes: &notes)
        let categories = categoryResults(paired: paired, gate: gate)

        var reasons: [String] = []
        var warnings: [String] = []
        let enabled = enabledCriteria(gate)
        for index in metrics.indices where !enabled.contains(metrics[index].name) && metrics[index].status != .info {
            metrics[index].status = .info
        }
        for metric in metrics where metric.status == .fail || metric.status == .inconclusive {
            reasons.append(Explanation.sentence(for: metric, confidence: gate.confidence))
        }
        for category in categories where category.successRate.status == .fail {
            let sentence =
                "category \(category.category): "
                + Explanation.sentence(for: category.successRate, confidence: nil)
            if gate.categories.onRegression == .fail { reasons.append(sentence) } else { warnings.append(sentence) }
        }
        let failed =
            metrics.contains { $0.status == .fail }
            || (gate.categories.onRegression == .fail && categories.contains { $0.successRate.status == .fail })
        let verdict: GateVerdict =
            failed ? .fail : metrics.contains { $0.status == .inconclusive } ? .inconclusive : .pass
        return GateEvaluation(
            verdict: verdict,
            blocking: verdict == .fail || (verdict == .inconclusive && gate.inconclusiveBlocks),
            reasons: reasons, notes: notes, metrics: metrics, categories: categories,
            tasks: GateTaskCounts(
                matched: paired.count, baselineOnly: paired.baselineOnly.count,
                candidateOnly: paired.candidateOnly.count, unmatchedExamples: Array(unmatched.sorted().prefix(20)),
                baselineAttempts: paired.baselineAttempts, candidateAttempts: paired.candidateAttempts,
                baselineInfraErrors: paired.baselineInfraErrors, candidateInfraErrors: paired.candidateInfraErrors,
                minTrials: minTrials),
            method: GateMethod(
                confidence: gate.confidence, bootstrapResamples: gate.bootstrapResamples, seed: gate.seed,
                passK: gate.passK, scoreThreshold: gate.scoreThreshold),
            warnings: warnings)
    }

    static func enabledCriteria(_ gate: GateSection) -> Set<String> {
        var names = Set<String>()
        if gate.successRate.enabled { names.insert("success_rate") }
        if gate.passHatK.enabled { names.insert("pass_hat_k") }
        if gate.costPerTask.enabled { names.insert("cost_per_task") }
        if gate.latencyP95Ms.enabled { names.insert("latency_p95_ms") }
        if gate.unauthorizedActions.enabled { names.insert("unauthorized_actions") }
        return names
    }

    /// Task success per category, with Bonferroni-adjusted intervals so that many categories do not
    /// multiply false alarms.
    static func categoryResults(paired: PairedTasks, gate: GateSection) -> [GateCategory] {
        var members: [String: [Int]] = [:]
        for index in 0..<paired.count {
            let name = paired.baseline[index].category ?? paired.candidate[index].category
            if let name { members[name, default: []].append(index) }
        }
        guard members.count > 1 else { return [] }
        let judged = members.values.filter { $0.count >= gate.categories.minTasks }.count
        let confidence = 1 - (1 - gate.confidence) / Double(max(judged, 1))
        let set = MetricSet(paired: paired, gate: gate)
        var unusedNotes: [String] = []
        return members.keys.sorted().enumerated().map { offset, name in
            let indices = members[name] ?? []
            var metric =
                set.compute(
                    taskIndices: indices, confidence: confidence, seed: gate.seed &+ UInt64(offset + 1),
                    includeAll: false, notes: &unusedNotes
                ).first
                ?? GateMetric(
                    name: "success_rate", comparison: "difference", direction: "higher", baseline: nil,
                    candidate: nil, status: .insufficient, method: "")
            if indices.count < gate.categories.minTasks {
                metric.status = .insufficient
                metric.tasksNeeded = nil
            } else if metric.status == .inconclusive {
                // An inconclusive category is reported, never blocking: only a confident regression counts.
                metric.tasksNeeded = nil
            }
            return GateCategory(category: name, tasks: indices.count, successRate: metric)
        }
    }
}

/// The gate's metrics over a subset of the matched tasks.
struct MetricSet {
    let paired: PairedTasks
    let gate: GateSection

    func compute(taskIndices: [Int], confidence: Double, seed: UInt64, includeAll: Bool, notes: inout [String])
        -> [GateMetric]
    {
        let n = taskIndices.count
        let base = taskIndices.map { paired.baseline[$0] }
        let cand = taskIndices.map { paired.candidate[$0] }
        let successDiff = zip(cand, base).map { $0.successRate - $1.successRate }
        var statistics: [PairedBootstrap.Statistic] = [{ weights in weightedMean(successDiff, weights) }]
        var builders: [([Double]) -> GateMetric] = []

        let baseSuccess = base.map(\.successRate).reduce(0, +) / Double(n)
        let candSuccess = cand.map(\.successRate).reduce(0, +) / Double(n)
        let singleTrial = base.allSatisfy { $0.attempts == 1 } && cand.allSatisfy { $0.attempts == 1 }
        var pValue: Double?
        var successMethod = "paired-bootstrap-percentile over tasks"
        if singleTrial {
            let b = zip(base, cand).filter { $0.successes == 1 && $1.successes == 0 }.count
            let c = zip(base, cand).filter { $0.successes == 0 && $1.successes == 1 }.count
            pValue = ExactTests.mcNemarPValue(b: b, c: c)
            successMethod += "; exact McNemar (\(b) baseline-only, \(c) candidate-only successes)"
        }
        builders.append { distribution in
            differenceMetric(
                name: "success_rate", baseline: baseSuccess, candidate: candSuccess, distribution: distribution,
                margin: gate.successRate.margin, confidence: confidence, tasks: n, pValue: pValue,
                method: successMethod)
        }
        guard includeAll else {
            return finish(statistics, builders, n: n, seed: seed)
        }

        let k = gate.passK
        // pass^k is defined for tasks with at least k trials on both sides; the others are left out of it.
        let eligible = base.indices.filter { base[$0].attempts >= k && cand[$0].attempts >= k }
        if k > 1, eligible.count * 2 >= n {
            var basePass = [Double](repeating: 0, count: n)
            var candPass = [Double](repeating: 0, count: n)
            var included = [Double](repeating: 0, count: n)
            for index in eligible {
                basePass[index] =
                    ExactTests.passHatK(successes: base[index].successes, trials: base[index].attempts, k: k) ?? 0
                candPass[index] =
                    ExactTests.passHatK(successes: cand[index].successes, trials: cand[index].attempts, k: k) ?? 0
                included[index] = 1
            }
            let passDiff = zip(candPass, basePass).map { $0 - $1 }
            let mask = included
            statistics.append { weights in
                let count = weightedSum(mask, weights)
                return count > 0 ? weightedSum(passDiff, weights) / count : nil
            }
            let count = Double(eligible.count)
            let left = n - eligible.count
            builders.append { distribution in
                differenceMetric(
                    name: "pass_hat_k", baseline: basePass.reduce(0, +) / count,
                    candidate: candPass.reduce(0, +) / count, distribution: distribution,
                    margin: gate.passHatK.margin, confidence: confidence, tasks: eligible.count, pValue: nil,
                    method: "pass^\(k) = C(c,\(k))/C(n,\(k)) per task over \(eligible.count) tasks with ≥\(k) trials"
                        + (left > 0 ? " (\(left) left out)" : "") + "; paired-bootstrap-percentile over tasks")
            }
        } else if gate.passHatK.enabled, k > 1 {
            notes.append(
                "pass_hat_k: fewer than half of the tasks have \(k) trials on both sides (gate.pass_k); not judged")
        }

        addRatio(
            name: "cost_per_task", values: { $0.meanCost }, base: base, cand: cand,
            criterion: gate.costPerTask, statistics: &statistics, builders: &builders, confidence: confidence,
            notes: &notes, method: "ratio of mean cost per task; paired-bootstrap-percentile over tasks")
        addLatency(
            confidence: confidence, taskIndices: taskIndices, statistics: &statistics, builders: &builders,
            notes: &notes)
        addRatio(
            name: "tokens_per_task", values: { $0.meanTokens }, base: base, cand: cand, criterion: nil,
            statistics: &statistics, builders: &builders, confidence: confidence, notes: &notes,
            method: "ratio of mean tokens per task; paired-bootstrap-percentile over tasks")
        addRatio(
            name: "steps_per_task", values: { $0.meanSteps }, base: base, cand: cand, criterion: nil,
            statistics: &statistics, builders: &builders, confidence: confidence, notes: &notes,
            method: "ratio of mean steps per task; paired-bootstrap-percentile over tasks")

        var metrics = finish(statistics, builders, n: n, seed: seed)
        metrics.append(unauthorizedMetric(base: base, cand: cand, ids: taskIndices.map { paired.ids[$0] }))
        return metrics
    }

    private func finish(
        _ statistics: [PairedBootstrap.Statistic], _ builders: [([Double]) -> GateMetric], n: Int, seed: UInt64
    ) -> [GateMetric] {
        let bootstrap = PairedBootstrap(taskCount: n, resamples: gate.bootstrapResamples, seed: seed)
        let distributions = bootstrap.distributions(statistics)
        return zip(builders, distributions).map { $0($1) }
    }

    private func addRatio(
        name: String, values: (TaskTotals) -> Double?, base: [TaskTotals], cand: [TaskTotals],
        criterion: RatioCriterion?, statistics: inout [PairedBootstrap.Statistic],
        builders: inout [([Double]) -> GateMetric], confidence: Double, notes: inout [String], method: String
    ) {
        // Tasks measured on both sides only: a ratio over different task sets would compare unlike things.
        var baseValues: [Double] = []
        var candValues: [Double] = []
        var owners: [Int] = []
        for index in base.indices {
            if let b = values(base[index]), let c = values(cand[index]) {
                baseValues.append(b)
                candValues.append(c)
                owners.append(index)
            }
        }
        let baseSum = baseValues.reduce(0, +)
        guard !owners.isEmpty, baseSum > 0 else {
            if criterion?.enabled == true { notes.append("\(name): no data on both sides; not judged") }
            return
        }
        let n = base.count
        var baseFull = [Double](repeating: 0, count: n)
        var candFull = [Double](repeating: 0, count: n)
        for (position, owner) in owners.enumerated() {
            baseFull[owner] = baseValues[position]
            candFull[owner] = candValues[position]
        }
        let (baseColumn, candColumn) = (baseFull, candFull)
        statistics.append { weights in
            let denominator = weightedSum(baseColumn, weights)
            return denominator > 0 ? weightedSum(candColumn, weights) / denominator : nil
        }
        let candSum = candValues.reduce(0, +)
        let measured = owners.count
        builders.append { distribution in
            ratioMetric(
                name: name, baseline: baseSum / Double(measured), candidate: candSum / Double(measured),
                distribution: distribution, maxRatio: criterion?.maxRatio, confidence: confidence, tasks: measured,
                method: method)
        }
    }

    private func addLatency(
        confidence: Double, taskIndices: [Int], statistics: inout [PairedBootstrap.Statistic],
        builders: inout [([Double]) -> GateMetric], notes: inout [String]
    ) {
        // Latencies are kept per attempt, owned by tasks renumbered to this subset.
        var position: [Int32: Int32] = [:]
        for (offset, index) in taskIndices.enumerated() { position[Int32(index)] = Int32(offset) }
        func subset(_ pairs: [(Double, Int32)]) -> (values: [Double], owners: [Int32]) {
            let kept = pairs.compactMap { pair in position[pair.1].map { (pair.0, $0) } }
            return (kept.map(\.0), kept.map(\.1))
        }
        let base = subset(paired.baselineLatencies)
        let cand = subset(paired.candidateLatencies)
        guard !base.values.isEmpty, !cand.values.isEmpty else {
            if gate.latencyP95Ms.enabled { notes.append("latency_p95_ms: no latencies on both sides; not judged") }
            return
        }
        let n = taskIndices.count
        var baseCounts = [Int32](repeating: 0, count: n)
        var candCounts = [Int32](repeating: 0, count: n)
        for owner in base.owners { baseCounts[Int(owner)] += 1 }
        for owner in cand.owners { candCounts[Int(owner)] += 1 }
        let (basePerTask, candPerTask) = (baseCounts, candCounts)
        statistics.append { weights in
            guard
                let b = percentile95(base.values, base.owners, basePerTask, weights),
                let c = percentile95(cand.values, cand.owners, candPerTask, weights), b > 0
            else { return nil }
            return c / b
        }
        let baseP95 = Quantile.sorted(base.values, 0.95) ?? 0
        let candP95 = Quantile.sorted(cand.values, 0.95) ?? 0
        builders.append { distribution in
            ratioMetric(
                name: "latency_p95_ms", baseline: baseP95, candidate: candP95, distribution: distribution,
                maxRatio: gate.latencyP95Ms.maxRatio, confidence: confidence, tasks: n,
                method: "ratio of 95th percentiles (type 7) over attempts; paired-bootstrap-percentile over tasks")
        }
    }

    private func unauthorizedMetric(base: [TaskTotals], cand: [TaskTotals], ids: [String]) -> GateMetric {
        let rogueOnCandidateOnly = zip(base, cand).filter { $0.unauthorized == 0 && $1.unauthorized > 0 }.count
        let budget = gate.unauthorizedActions.budget
        return GateMetric(
            name: "unauthorized_actions", comparison: "count", direction: "lower",
            baseline: Double(base.reduce(0) { $0 + $1.unauthorized }),
            candidate: Double(cand.reduce(0) { $0 + $1.unauthorized }),
            difference: Double(rogueOnCandidateOnly), threshold: Double(budget),
            status: rogueOnCandidateOnly > budget ? .fail : .pass,
            method: "tasks with an unauthorized action on the candidate and none on the baseline, against a budget")
    }

    private func differenceMetric(
        name: String, baseline: Double, candidate: Double, distribution: [Double], margin: Double,
        confidence: Double, tasks: Int, pValue: Double?, method: String
    ) -> GateMetric {
        let difference = candidate - baseline
        let interval = PairedBootstrap.percentileInterval(distribution, confidence: confidence)
        var metric = GateMetric(
            name: name, comparison: "difference", direction: "higher", baseline: baseline, candidate: candidate,
            difference: difference, ciLow: interval?.low, ciHigh: interval?.high, pValue: pValue,
            threshold: -margin, status: .inconclusive, method: method)
        guard let interval else { return metric }
        if interval.low >= -margin {
            metric.status = .pass
        } else if interval.high < -margin {
            metric.status = .fail
        } else {
            metric.tasksNeeded = tasksNeeded(
                tasks: tasks, halfWidth: (interval.high - interval.low) / 2, distance: difference + margin)
        }
        return metric
    }

    private func ratioMetric(
        name: String, baseline: Double, candidate: Double, distribution: [Double], maxRatio: Double?,
        confidence: Double, tasks: Int, method: String
    ) -> GateMetric {
        let ratio = baseline > 0 ? candidate / baseline : nil
        let interval = PairedBootstrap.percentileInterval(distribution, confidence: confidence)
        var metric = GateMetric(
            name: name, comparison: "ratio", direction: "lower", baseline: baseline, candidate: candidate,
            ratio: ratio, ciLow: interval?.low, ciHigh: interval?.high, threshold: maxRatio,
            status: maxRatio == nil ? .info : .inconclusive, method: method)
        guard let maxRatio, let interval, let ratio, interval.low > 0 else { return metric }
        if interval.high <= maxRatio {
            metric.status = .pass
        } else if interval.low > maxRatio {
            metric.status = .fail
        } else {
            metric.tasksNeeded = tasksNeeded(
                tasks: tasks, halfWidth: (log(interval.high) - log(interval.low)) / 2,
                distance: log(maxRatio) - log(ratio))
        }
        return metric
    }

    /// Tasks needed for the interval to clear the margin, if the observed effect and spread hold: the
    /// half-width shrinks with the square root of the number of tasks.
    private func tasksNeeded(tasks: Int, halfWidth: Double, distance: Double) -> Int? {
        guard abs(distance) > 1e-12, halfWidth > 0 else { return nil }
        let needed = Double(tasks) * pow(halfWidth / abs(distance), 2)
        return needed.isFinite && needed < 1e9 ? Int(needed.rounded(.up)) : nil
    }
}

private func weightedMean(_ values: [Double], _ weights: UnsafeBufferPointer<Int32>) -> Double? {
    var sum = 0.0
    var count = 0.0
    values.withUnsafeBufferPointer { buffer in
        for index in 0..<buffer.count {
            let weight = Double(weights[index])
            sum += weight * buffer[index]
            count += weight
        }
    }
    return count > 0 ? sum / count : nil
}

private func weightedSum(_ values: [Double], _ weights: UnsafeBufferPointer<Int32>) -> Double {
    var sum = 0.0
    values.withUnsafeBufferPointer { buffer in
        for index in 0..<buffer.count { sum += Double(weights[index]) * buffer[index] }
    }
    return sum
}

/// The 95th percentile of the attempts of a resample, where task `t` was drawn `weights[t]` times.
private func percentile95(
    _ values: [Double], _ owners: [Int32], _ perTask: [Int32], _ weights: UnsafeBufferPointer<Int32>
) -> Double? {
    var pooled = 0
    for index in 0..<perTask.count { pooled += Int(perTask[index]) * Int(weights[index]) }
    return values.withUnsafeBufferPointer { valueBuffer in
        owners.withUnsafeBufferPointer { ownerBuffer in
            Quantile.weightedFromTop(
                values: valueBuffer, owners: ownerBuffer, weights: weights, pooledCount: pooled, q: 0.95)
        }
    }
}

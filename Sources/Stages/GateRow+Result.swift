import Artifacts
import Gate
import RunLedger

extension GateRow {
    /// The ledger's row of a gate artifact: the whole suite's criteria, then each category's success rate.
    package init(_ gate: GateResult) {
        let metrics =
            gate.metrics.map { GateMetricRow($0, category: "") }
            + gate.categories.map { GateMetricRow($0.successRate, category: $0.category) }
        self.init(
            runId: gate.runId, agent: gate.agent, candidateVersion: gate.candidateVersion,
            baselineVersion: gate.baselineVersion, verdict: gate.verdict, blocking: gate.blocking,
            reasons: gate.reasons, policySha256: gate.policySha256, matchedTasks: gate.tasks.matched,
            unmatchedTasks: gate.tasks.baselineOnly + gate.tasks.candidateOnly,
            baselineInfraErrors: gate.tasks.baselineInfraErrors, candidateInfraErrors: gate.tasks.candidateInfraErrors,
            confidence: gate.method.confidence, bootstrapResamples: gate.method.bootstrapResamples,
            seed: gate.method.seed, createdAt: gate.createdAt, metrics: metrics)
    }
}

extension GateMetricRow {
    /// The ledger's row of one criterion, computed over `category` (empty for the whole suite).
    init(_ metric: GateMetric, category: String) {
        self.init(
            category: category, name: metric.name, baseline: metric.baseline, candidate: metric.candidate,
            difference: metric.difference, ratio: metric.ratio, ciLow: metric.ciLow, ciHigh: metric.ciHigh,
            pValue: metric.pValue, threshold: metric.threshold, status: metric.status.rawValue, method: metric.method,
            tasksNeeded: metric.tasksNeeded)
    }
}

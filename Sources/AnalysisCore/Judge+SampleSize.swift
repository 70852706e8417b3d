import Foundation
import Policy
import Statistics
import Vocabulary

/// How many more candidate tasks a step needs before its primary metrics can be judged.
extension Judge {
    /// The candidate tasks the step needs: for each primary metric, the smallest n at which a true regression
    /// the size of the margin is caught with the policy's power, i.e. margin ≥ h(n) + z_power·√V(n), where
    /// h is the confidence sequence's half-width and V(n) the variance of the difference with n candidate
    /// tasks and r·n baseline tasks (r: the observed baseline/candidate ratio, else the step's split), scaled
    /// from the observed variance (so conversation clustering counts) or from a prior before data.
    ///
    /// Under the group-sequential design a primary difference metric needs instead the candidate tasks at which
    /// its information reaches the plan (the final analysis, the most it can need), and nothing more once every
    /// primary metric has crossed its boundary (`crossed`).
    static func requirement(
        _ inputs: LookInputs, metrics: [MetricPolicy], alpha: (MetricPolicy) -> Double, crossed: Bool = false
    ) -> SampleRequirement {
        let monitor = inputs.monitor
        let zPower = Distributions.normalQuantile(monitor.power)
        var allocation = 1.0
        if inputs.tasks.baseline > 0, inputs.tasks.candidate > 0 {
            allocation = Double(inputs.tasks.baseline) / Double(inputs.tasks.candidate)
        } else if let weight = inputs.step.weight, weight > 0, weight < 100 {
            allocation = Double(100 - weight) / Double(weight)
        }
        var powerN = 0
        var floorN = 0
        let mode = inputs.step.mode
        for metric in metrics where metric.role == .primary && (mode != .shadow || metric.name == "shadow_agreement") {
            floorN = max(floorN, metric.minSample)
            // The variance of one arm's estimate at one unit, on the scale the test uses.
            var unitVariance: Double
            var tau2: Double
            var margin = metric.margin
            switch metric.name {
            case "task_success_rate", "error_rate", "user_satisfaction", "judge_score":
                let sums = inputs.ratios[metric.name]
                let p = sums?.baseline.ratio ?? (metric.name == "error_rate" ? 0.05 : 0.8)
                unitVariance = max(p * (1 - p), 0.01)
                if let observed = sums?.baseline.ratioVariance, let n = sums?.baseline.sumN, n > 30 {
                    unitVariance = max(unitVariance, observed * n)
                }
                tau2 = pow(max(metric.margin, 0.005), 2)
            case "cost_per_task", "tokens_per_task", "steps_per_task":
                let sums = inputs.ratios[metric.name]
                unitVariance = 1
                if let observed = sums?.baseline.ratioVariance, let mean = sums?.baseline.ratio, mean > 0,
                    let n = sums?.baseline.sumN, n > 30
                {
                    unitVariance = observed * n / (mean * mean)
                }
                margin = log1p(metric.margin)
                tau2 = pow(log1p(max(metric.margin, 0.01)), 2)
            case "shadow_agreement":
                unitVariance = 0.1
                tau2 = pow(max(metric.margin, 0.01), 2)
            default:
                continue
            }
            guard margin > 0 else { continue }
            let arms = metric.name == "shadow_agreement" ? 1.0 : 1 + 1 / allocation
            let a = alpha(metric)
            if crossed { continue }
            if SequentialDesign.applies(metric, inputs: inputs), inputs.earlierInformation != nil,
                Self.sequentialMetrics.contains(metric.name)
            {
                let planned = plan(
                    alpha: a, power: monitor.power, margin: margin, looks: max(1, inputs.step.stepCount ?? 1),
                    spending: inputs.monitor.spending == .pocock ? .pocock : .obrienFleming
                ).planned
                powerN = max(powerN, Int((planned * arms * unitVariance).rounded(.up)))
                continue
            }
            func enough(_ n: Int) -> Bool {
                let variance = arms * unitVariance / Double(n)
                let half = SequentialTests.oneSidedHalfWidth(
                    variance: variance, tau2: tau2, scales: tauScales, alpha: a)
                return half + zPower * variance.squareRoot() <= margin
            }
            var low = 1
            var high = 1
            while !enough(high), high < 100_000_000 { high *= 2 }
            while low < high {
                let middle = (low + high) / 2
                if enough(middle) { high = middle } else { low = middle + 1 }
            }
            powerN = max(powerN, high)
        }
        let required = max(powerN, floorN)
        let units = mode == .shadow ? inputs.shadowPairs : inputs.tasks.candidate
        let stepUnits = mode == .shadow ? inputs.shadowPairs : inputs.stepTasks.candidate
        let more = max(0, required - units, inputs.step.minTasks - stepUnits)
        var eta: Int?
        if more > 0, let rate = inputs.candidateTaskRate, rate > 0 {
            eta = Int((Double(more) / rate).rounded(.up))
        }
        return SampleRequirement(
            requiredCandidateTasks: required, powerCalculationTasks: powerN, baselineFloor: floorN,
            baselineTasks: inputs.tasks.baseline,
            candidateTasks: inputs.tasks.candidate, moreCandidateTasksNeeded: more,
            estimatedSecondsRemaining: more == 0 ? 0 : eta,
            power: monitor.power)
    }
}

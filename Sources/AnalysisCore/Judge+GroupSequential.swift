import Foundation
import Policy
import Statistics
import Synchronization
import Vocabulary

/// The group-sequential test of a primary metric's non-inferiority (`monitor.method: group-sequential`).
///
/// The design plans the information of a fixed-horizon test of the margin at the metric's α and the policy's
/// power, times the inflation its spending function needs over the policy's steps (as many equally spaced looks
/// as steps). Each look's information is 1 / the observed variance of the estimate (so conversation clustering
/// counts); its fraction of the plan places it, and the boundary comes from the spending function over this look
/// and the run's earlier ones (Lan–DeMets: any number of looks, at any times). The look that reaches the planned
/// information is the final analysis and spends what α is left; after it no look can show non-inferiority, and
/// the decision is a person's (hold). Regressions keep their always-valid test, at every look.
extension Judge {
    /// What a look needs to place itself in the design.
    struct SequentialDesign {
        var spending: GroupSequential.Spending
        var earlier: [Double]
        var plannedLooks: Int
        var power: Double
        /// Whether an earlier look crossed the boundary.
        var shownBefore: Bool
        /// The strata of the covariate adjustment (`monitor.adjust_for`), for task success.
        var strata: [PostStratification.Stratum]?
        var covariate: Covariate?

        /// The design of a primary metric under `monitor.method: group-sequential`, `nil` otherwise, and `nil`
        /// for a look outside a run: the spending design needs the run's earlier looks, which only the ledger
        /// keeps, so such a look keeps the always-valid test (see ``outsideRunNote``).
        init?(_ metric: MetricPolicy, inputs: LookInputs) {
            guard Self.applies(metric, inputs: inputs), let earlierInformation = inputs.earlierInformation else {
                return nil
            }
            spending = inputs.monitor.spending == .pocock ? .pocock : .obrienFleming
            earlier = earlierInformation[metric.name] ?? []
            plannedLooks = max(1, inputs.step.stepCount ?? 1)
            power = inputs.monitor.power
            shownBefore = inputs.sequentiallyShown?.contains(metric.name) ?? false
            if let covariate = inputs.monitor.adjustFor, metric.name == "task_success_rate" {
                self.covariate = covariate
                strata = Self.strata(inputs)
            }
        }

        /// Whether the design judges `metric`: a primary metric of a group-sequential policy, in canary mode (a
        /// shadow's evidence to promote is its agreement, which keeps its own test).
        static func applies(_ metric: MetricPolicy, inputs: LookInputs) -> Bool {
            inputs.monitor.method == .groupSequential && metric.role == .primary && inputs.step.mode != .shadow
        }

        /// The task-success strata by category, tasks without one as a stratum of their own.
        static func strata(_ inputs: LookInputs) -> [PostStratification.Stratum] {
            func cell(_ sums: ClusterSums) -> PostStratification.Cell {
                PostStratification.Cell(successes: sums.sumY, tasks: sums.sumN)
            }
            var strata = inputs.segments.map {
                PostStratification.Stratum(baseline: cell($0.success.baseline), candidate: cell($0.success.candidate))
            }
            if let total = inputs.ratios["task_success_rate"] {
                var rest = PostStratification.Stratum(baseline: cell(total.baseline), candidate: cell(total.candidate))
                for stratum in strata {
                    rest.baseline.successes -= stratum.baseline.successes
                    rest.baseline.tasks -= stratum.baseline.tasks
                    rest.candidate.successes -= stratum.candidate.successes
                    rest.candidate.tasks -= stratum.candidate.tasks
                }
                if rest.baseline.tasks + rest.candidate.tasks > 0.5 { strata.append(rest) }
            }
            return strata
        }

        /// The estimate and variance the test uses: post-stratified when the policy asks and the strata allow,
        /// the clustered variance scaled by the share the strata leave (the design effect of conversations is
        /// assumed unchanged by the adjustment).
        func adjusted(theta: Double, variance: Double) -> (Double, Double, CovariateAdjustment?) {
            guard let covariate, let strata, let estimate = PostStratification.estimate(strata) else {
                return (theta, variance, nil)
            }
            let adjustment = CovariateAdjustment(
                covariate: covariate.rawValue, strata: estimate.strata, difference: estimate.difference,
                unadjustedDifference: theta, varianceReduction: estimate.varianceReduction)
            return (estimate.difference, variance * (1 - estimate.varianceReduction), adjustment)
        }
    }

    /// Why a primary metric of a group-sequential policy was judged by the always-valid bounds (in its method):
    /// the look is not part of a run.
    static let outsideRunNote = "group-sequential needs a run's earlier looks, which --run gives"

    /// The least growth of information, as a share of the plan, between two of the design's looks. The monitor
    /// looks every minute; each of the design's looks costs a numerical integration over all its earlier ones,
    /// and looks a few hundredths of the information apart add nothing to the power of an O'Brien–Fleming design.
    /// A look in between keeps the latest design look's verdict (the harm test still runs at every look).
    static let designIncrement = 0.05

    /// The look of a statistic `statistic` (standardized distance from the margin, good direction positive) with
    /// `information` for a margin `margin` (on the test's scale) at level `alpha`; `nil` for a look that is not
    /// one of the design's (less than ``designIncrement`` of the plan since the last, and not the final one).
    /// After the final analysis every look is one, with no boundary and nothing left to spend.
    static func sequentialLook(
        _ design: SequentialDesign, statistic: Double, information: Double, margin: Double, alpha: Double
    ) -> SequentialLook? {
        let (fixed, planned) = plan(
            alpha: alpha, power: design.power, margin: margin, looks: design.plannedLooks, spending: design.spending)
        let fraction = information / planned
        let number = design.earlier.count + 1
        if design.earlier.contains(where: { $0 >= planned }) {
            return SequentialLook(
                look: number, information: information, fixedInformation: fixed, plannedInformation: planned,
                informationFraction: fraction, statistic: statistic, boundary: nil, alphaSpent: alpha, final: true)
        }
        guard fraction >= 1 || information - (design.earlier.last ?? 0) >= designIncrement * planned else {
            return nil
        }
        let fractions = (design.earlier + [information]).map { $0 / planned }
        let boundary =
            GroupSequential.cachedBoundaries(fractions: fractions, alpha: alpha, spending: design.spending).last
            ?? .infinity
        return SequentialLook(
            look: number, information: information, fixedInformation: fixed, plannedInformation: planned,
            informationFraction: fraction, statistic: statistic, boundary: boundary.isFinite ? boundary : nil,
            alphaSpent: design.spending.spent(min(1, fractions.max() ?? 0), alpha: alpha), final: fraction >= 1)
    }

    /// The metrics measured as a difference, which the design judges (the others keep the mixture).
    static let sequentialMetrics: Set = ["task_success_rate", "error_rate", "user_satisfaction", "judge_score"]

    /// The information a fixed-horizon test of `margin` needs at `alpha` and `power`, and the design's plan: that
    /// times the spending function's inflation over `looks` equally spaced looks.
    static func plan(alpha: Double, power: Double, margin: Double, looks: Int, spending: GroupSequential.Spending)
        -> (fixed: Double, planned: Double)
    {
        let fixed = pow((Distributions.normalQuantile(1 - alpha) + Distributions.normalQuantile(power)) / margin, 2)
        return (fixed, fixed * inflation(looks: looks, alpha: alpha, power: power, spending))
    }

    /// The spending function's inflation for `looks` equally spaced looks, computed once per design.
    static func inflation(looks: Int, alpha: Double, power: Double, _ spending: GroupSequential.Spending) -> Double {
        let key = "\(spending.rawValue)/\(looks)/\(alpha)/\(power)"
        if let known = inflations.withLock({ $0[key] }) { return known }
        let value = GroupSequential.inflation(
            fractions: (1...looks).map { Double($0) / Double(looks) }, alpha: alpha, beta: 1 - power,
            spending: spending)
        inflations.withLock { $0[key] = value }
        return value
    }

    static let inflations = Mutex<[String: Double]>([:])
}

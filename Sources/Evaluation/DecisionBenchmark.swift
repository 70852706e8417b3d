import Dispatch
import Foundation
import Policy
import Simulation
import Statistics
import Synchronization

/// How one method ended one canary.
package struct CanaryOutcome: Sendable, Codable {
    package var verdict: String
    /// Minutes from the start of the canary to the decision.
    package var minutes: Double
    /// Candidate tasks served up to the decision.
    package var candidateTasks: Int
    /// Candidate tasks expected to have been served badly up to the decision (tasks × harm per task).
    package var exposure: Double
}

/// A value with its Monte Carlo 95 % interval.
package struct Estimate: Sendable, Codable {
    package var value: Double?
    package var low: Double?
    package var high: Double?
    package var count: Int
}

/// One row of the table: a method on a scenario.
package struct BenchmarkRow: Sendable, Codable {
    package var method: String
    package var scenario: String
    package var canaries: Int
    /// Share rolled back (false rollbacks for A/A-like scenarios, detection for regressions).
    package var rollbackRate: Estimate
    package var promotedRate: Estimate
    package var medianTasksToRollback: Estimate
    package var medianExposure: Estimate
    package var medianMinutesToPromote: Estimate
    package var medianTasksToPromote: Estimate
    /// The candidate tasks a fixed-horizon test of the scenario's design needs (``FixedHorizonProbe``), the
    /// median over its canaries: the same on every row of a scenario.
    package var fixedHorizonTasks: Estimate
}

/// The benchmark's output: every row, and the settings at which the other rules matched the monitor's false
/// rollback rate.
package struct BenchmarkReport: Sendable, Codable {
    package var rows: [BenchmarkRow]
    package var matched: MatchedSettings
}

/// The rules one pass over a scenario's canaries runs: the monitor and the others at their defaults, the
/// others at the monitor's false rollback rate, or both.
struct RuleSet: Sendable {
    var defaults: OperatorThresholds?
    var matched: MatchedSettings?
    var samples: OperatorSamples

    func make() -> [any DecisionRule] {
        var rules: [any DecisionRule] = []
        if let defaults {
            rules += [
                MonitorRule(method: .msprt), MonitorRule(method: .groupSequential), FlaggerRule(thresholds: defaults),
                ArgoRule(thresholds: defaults), KayentaRule(),
                NaivePeekingRule(),
            ]
        }
        if let matched { rules += MatchedCalibration.rules(matched, samples: samples) }
        return rules
    }
}

/// `body` of 0..<count on every core, the results in order.
func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    let results = Mutex<[T?]>(Array(repeating: nil, count: count))
    DispatchQueue.concurrentPerform(iterations: count) { index in
        let value = body(index)
        results.withLock { $0[index] = value }
    }
    return results.withLock { $0.compactMap { $0 } }
}

/// The decision benchmark: Monte Carlo canaries through the monitor's judge and the other tools' rules, on
/// the same simulated streams.
package struct DecisionBenchmark {
    package var schedule = EvaluationSchedule()
    package var conversationsPerInterval = 600
    package var seed: UInt64 = 20_261_126
    /// Canaries per scenario; A/A-like scenarios get `aaCanaries`.
    package var canaries = 200
    package var aaCanaries = 1000

    package init() {}

    /// The methods at their default settings, in table order.
    package static let methods = [
        MonitorRule.name(.msprt), MonitorRule.name(.groupSequential), "Flagger", "Argo Rollouts", "Kayenta",
        "naive peeking",
    ]

    /// Runs one canary of `scenario` through every rule of `rules`, and its scheduled intervals through the
    /// fixed-horizon probe.
    static func canary(
        _ scenario: EvaluationScenario, seed: UInt64, schedule: EvaluationSchedule, rules ruleSet: RuleSet
    ) -> (outcomes: [CanaryOutcome], fixedHorizonTasks: Double?) {
        let stream = CanaryStream(scenario: scenario, schedule: schedule, seed: seed)
        var rules = ruleSet.make()
        var outcomes: [CanaryOutcome?] = Array(repeating: nil, count: rules.count)
        var probe = FixedHorizonProbe()
        var candidateTasks = 0
        for index in 0..<schedule.maxIntervals {
            let interval = stream.interval(index)
            probe.observe(interval, schedule: schedule)
            let before = candidateTasks
            candidateTasks += interval.arms[1].totalTasks
            for position in rules.indices where outcomes[position] == nil {
                let verdict = rules[position].observe(interval, schedule: schedule)
                guard verdict != .proceed else { continue }
                let bucket = min(schedule.buckets - 1, rules[position].decisionBucket ?? schedule.buckets - 1)
                let served = before + interval.arms[1].tasks[0...bucket].reduce(0, +)
                outcomes[position] = CanaryOutcome(
                    verdict: verdict.rawValue,
                    minutes: (Double(index) + Double(bucket + 1) / Double(schedule.buckets))
                        * schedule.intervalSeconds / 60,
                    candidateTasks: served, exposure: Double(served) * scenario.harmPerTask)
            }
            if outcomes.allSatisfy({ $0 != nil }), index + 1 >= schedule.scheduledIntervals { break }
        }
        let ended = outcomes.map {
            $0
                ?? CanaryOutcome(
                    verdict: RuleVerdict.undecided.rawValue,
                    minutes: Double(schedule.maxIntervals) * schedule.intervalSeconds / 60,
                    candidateTasks: candidateTasks, exposure: Double(candidateTasks) * scenario.harmPerTask)
        }
        return (ended, probe.candidateTasks)
    }

    /// The seed of scenario number `number`'s first canary (the others follow it).
    func firstSeed(_ number: Int) -> UInt64 { seed &+ UInt64(number) &* 1_000_003 }

    /// The rows of `rules` on scenario number `number`.
    func pass(_ scenario: EvaluationScenario, number: Int, rules: RuleSet) -> [BenchmarkRow] {
        let count = scenario.isRegression ? canaries : aaCanaries
        let schedule = self.schedule
        let base = firstSeed(number)
        let canaries = parallelMap(count) { index in
            Self.canary(scenario, seed: base &+ UInt64(index), schedule: schedule, rules: rules)
        }
        let fixedHorizon = Self.median(canaries.compactMap(\.fixedHorizonTasks))
        return rules.make().enumerated().map { position, rule in
            var row = Self.row(method: rule.name, scenario: scenario, canaries.map { $0.outcomes[position] })
            row.fixedHorizonTasks = fixedHorizon
            return row
        }
    }

    /// Every scenario × method, `progress` called after each step. The A/A canaries run first: the monitor's
    /// false rollback rate on them is the rate the other rules are then tuned to on the same canaries
    /// (``MatchedCalibration``), and every later scenario runs the monitor, the others at their defaults and
    /// the others at that rate on the same streams.
    package func run(progress: (String) -> Void = { _ in }) -> BenchmarkReport {
        let samples = OperatorSamples.collect(schedule: schedule, conversationsPerInterval: conversationsPerInterval)
        let defaults = samples.thresholds(alpha: 0.05)
        let scenarios = EvaluationScenario.all(conversationsPerInterval: conversationsPerInterval)
        var rows = Array(repeating: [BenchmarkRow](), count: scenarios.count)
        rows[0] = pass(scenarios[0], number: 0, rules: RuleSet(defaults: defaults, samples: samples))
        progress("\(scenarios[0].name): \(aaCanaries) canaries")
        let target = rows[0].first { $0.method == Self.methods[0] }?.rollbackRate.value ?? 0
        let matched = MatchedCalibration.calibrate(
            target: target, samples: samples, schedule: schedule, conversationsPerInterval: conversationsPerInterval,
            canaries: aaCanaries, firstSeed: firstSeed(0))
        progress(
            String(
                format:
                    "tuned to the monitor's %.1f %% on the %d A/A canaries: thresholds at α %.4f (%.1f %%), Kayenta confidence %.4f (%.1f %%), naive α %.5f (%.1f %%)",
                target * 100, aaCanaries, matched.operatorAlpha, matched.operatorRate * 100,
                matched.kayentaConfidence, matched.kayentaRate * 100, matched.naiveAlpha, matched.naiveRate * 100))
        rows[0] += pass(scenarios[0], number: 0, rules: RuleSet(matched: matched, samples: samples))
        for (number, scenario) in scenarios.enumerated().dropFirst() {
            rows[number] = pass(
                scenario, number: number, rules: RuleSet(defaults: defaults, matched: matched, samples: samples))
            progress("\(scenario.name): \(scenario.isRegression ? canaries : aaCanaries) canaries")
        }
        return BenchmarkReport(rows: rows.flatMap { $0 }, matched: matched)
    }

    /// One row. The exposure is over every canary of a regression: tasks served badly up to a rollback or an
    /// undecided end, and unbounded (∞) for a promotion, which hands the bad version all traffic.
    static func row(method: String, scenario: EvaluationScenario, _ outcomes: [CanaryOutcome]) -> BenchmarkRow {
        let rolledBack = outcomes.filter { $0.verdict == RuleVerdict.rollback.rawValue }
        let promoted = outcomes.filter { $0.verdict == RuleVerdict.promote.rawValue }
        let exposures = outcomes.map { $0.verdict == RuleVerdict.promote.rawValue ? .infinity : $0.exposure }
        return BenchmarkRow(
            method: method, scenario: scenario.name, canaries: outcomes.count,
            rollbackRate: wilson(rolledBack.count, outcomes.count),
            promotedRate: wilson(promoted.count, outcomes.count),
            medianTasksToRollback: median(rolledBack.map { Double($0.candidateTasks) }),
            medianExposure: scenario.isRegression
                ? median(exposures) : Estimate(value: nil, low: nil, high: nil, count: 0),
            medianMinutesToPromote: median(promoted.map(\.minutes)),
            medianTasksToPromote: median(promoted.map { Double($0.candidateTasks) }),
            fixedHorizonTasks: Estimate(value: nil, low: nil, high: nil, count: 0))
    }

    /// A proportion with its Wilson 95 % interval.
    static func wilson(_ successes: Int, _ trials: Int) -> Estimate {
        guard trials > 0 else { return Estimate(value: nil, low: nil, high: nil, count: 0) }
        let z = 1.959963984540054
        let n = Double(trials)
        let p = Double(successes) / n
        let centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        let half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()
        return Estimate(value: p, low: max(0, centre - half), high: min(1, centre + half), count: successes)
    }

    /// The median with a distribution-free 95 % interval (order statistics n/2 ∓ 0.98·√n).
    static func median(_ values: [Double]) -> Estimate {
        guard !values.isEmpty else { return Estimate(value: nil, low: nil, high: nil, count: 0) }
        let sorted = values.sorted()
        let n = Double(sorted.count)
        // The usual midpoint of the two middle values, unbounded when either is.
        let median = sorted[sorted.count / 2].isFinite ? Quantile.sorted(sorted, 0.5) : .infinity
        let lowRank = max(0, Int((n / 2 - 0.98 * n.squareRoot()).rounded(.down)))
        let highRank = min(sorted.count - 1, Int((n / 2 + 0.98 * n.squareRoot()).rounded(.up)))
        return Estimate(value: median, low: sorted[lowRank], high: sorted[highRank], count: sorted.count)
    }

    /// Wald's approximation of the expected candidate tasks an SPRT needs under the alternative, testing
    /// p₀ against p₀ − δ with known p₀ at error rates α (false rollback) and β (missed regression): the floor
    /// no sequential method can beat on average (Wald, Sequential Analysis, 1947, eq. 3:57).
    package static func waldExpectedTasks(baseline p0: Double, drop delta: Double, alpha: Double, beta: Double)
        -> Double
    {
        let p1 = p0 - delta
        let kl = p1 * log(p1 / p0) + (1 - p1) * log((1 - p1) / (1 - p0))
        let numerator = (1 - beta) * log((1 - beta) / alpha) + beta * log(beta / (1 - alpha))
        return numerator / kl
    }

    /// The fewest candidate tasks by which any rule with at most `alpha` false rollbacks can have rolled back
    /// half of the canaries of a success drop δ (so a floor on its median): "rolled back by n tasks" is a test
    /// at n tasks of size at most α, and no such test is more powerful than the one-sided z-test with the
    /// baseline rate p₀ known exactly (Neyman–Pearson), whose power reaches ½ when δ√n / √(p₁(1 − p₁)) equals
    /// z₁₋α, p₁ = p₀ − δ: n = (z₁₋α √(p₁(1 − p₁)) / δ)².
    package static func medianRollbackFloor(baseline p0: Double, drop delta: Double, alpha: Double) -> Double {
        let p1 = p0 - delta
        let z = Distributions.normalQuantile(1 - alpha)
        return pow(z * (p1 * (1 - p1)).squareRoot() / delta, 2)
    }

    /// The table as markdown.
    package static func markdown(_ report: BenchmarkReport, baselineSuccess: Double) -> String {
        func percent(_ estimate: Estimate) -> String {
            guard let value = estimate.value, let low = estimate.low, let high = estimate.high else { return "–" }
            return String(format: "%.1f %% [%.1f, %.1f]", value * 100, low * 100, high * 100)
        }
        func number(_ estimate: Estimate, _ format: String = "%.0f") -> String {
            guard let value = estimate.value, let low = estimate.low, let high = estimate.high else { return "–" }
            func text(_ x: Double) -> String { x.isFinite ? String(format: format, x) : "∞" }
            return "\(text(value)) [\(text(low)), \(text(high))]"
        }
        func table(_ rows: [BenchmarkRow]) -> [String] {
            [
                "| scenario | method | canaries | rolled back | promoted | median candidate tasks to rollback | median exposure (bad tasks) | median minutes to promote | median candidate tasks to promote | fixed-horizon candidate tasks |",
                "|---|---|---|---|---|---|---|---|---|---|",
            ]
                + rows.map { row in
                    "| \(row.scenario) | \(row.method) | \(row.canaries) | \(percent(row.rollbackRate)) | \(percent(row.promotedRate)) | \(number(row.medianTasksToRollback)) | \(number(row.medianExposure, "%.1f")) | \(number(row.medianMinutesToPromote)) | \(number(row.medianTasksToPromote)) | \(number(row.fixedHorizonTasks)) |"
                }
        }
        let matchedRow = { (row: BenchmarkRow) in row.method.hasSuffix(MatchedCalibration.suffix) }
        var lines = table(report.rows.filter { !matchedRow($0) })
        let settings = report.matched
        lines += [
            "",
            String(
                format:
                    "At the monitor's false rollback rate (%.1f %% of the %d A/A canaries above, mSPRT's; the group-sequential method's harm tests are the same): each other rule tuned, on those same canaries, to the most permissive setting that rolls back that share, or the next step above where its rate jumps over it — thresholds read at α %.4f instead of 0.05 (%.1f %%), Kayenta's confidence %.4f instead of 0.98 (%.1f %%), naive peeking's α per test %.5f instead of 0.05 (%.1f %%); the regressions below are other canaries:",
                settings.target * 100, settings.calibrationCanaries, settings.operatorAlpha,
                settings.operatorRate * 100, settings.kayentaConfidence, settings.kayentaRate * 100,
                settings.naiveAlpha, settings.naiveRate * 100),
            "",
        ]
        lines += table(report.rows.filter { matchedRow($0) || methods[0...1].contains($0.method) })
        // The floors follow the scenarios: their success drops and their rogue rate.
        let scenarios = EvaluationScenario.all()
        let drops = scenarios.filter { $0.fleet.successShift < 0 }
        lines.append("")
        lines.append(
            "Wald's bound (expected candidate tasks of an SPRT with known baseline p₀ = \(baselineSuccess), α = 0.05, β = 0.10):"
        )
        for scenario in drops {
            let tasks = waldExpectedTasks(
                baseline: baselineSuccess, drop: -scenario.fleet.successShift, alpha: 0.05, beta: 0.10)
            lines.append(String(format: "- %@: %.0f tasks", scenario.name, tasks))
        }
        // The simulator's success rate is p × 0.97 (3 % of tasks end in an error or are abandoned first).
        let effective = baselineSuccess * 0.97
        for alpha in Set([0.05, settings.target]).sorted(by: >) where alpha > 0 {
            lines.append("")
            lines.append(
                String(
                    format:
                        "Floor on the median (any rule with at most %.1f %% false rollbacks; Neyman–Pearson, baseline rate %.3f known):",
                    alpha * 100, effective))
            for scenario in drops {
                let drop = -scenario.fleet.successShift
                let tasks = medianRollbackFloor(baseline: effective, drop: drop * 0.97, alpha: alpha)
                lines.append(
                    String(
                        format: "- %@: %.0f candidate tasks, exposure %.1f bad tasks", scenario.name, tasks,
                        tasks * drop))
            }
            // Before the first unauthorized action the streams are those of an A/A canary, so P(rolled back by
            // n) ≤ P(an action by n) + α = 1 − e^(−rn) + α, which reaches ½ at n = ln(1/(½ + α)) / r.
            for scenario in scenarios where scenario.fleet.rogueRate > 0 {
                let rate = scenario.fleet.rogueRate
                let tasks = log(1 / (0.5 + alpha)) / rate
                lines.append(
                    String(
                        format:
                            "- %@: %.0f candidate tasks, exposure %.2f (no rule can tell the versions apart before the first unauthorized action)",
                        scenario.name, tasks, tasks * rate))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

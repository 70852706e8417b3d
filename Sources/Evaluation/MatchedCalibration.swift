import Dispatch
import Foundation

/// The other rules' settings re-tuned so that each rolls back healthy canaries as often as the monitor did (or,
/// where its rate moves in steps, the next step above): the comparison at equal false rollback rate. A rule that rolls back more healthy
/// releases can stop bad ones sooner, and one that rolls back fewer can be slower, so exposure is only
/// comparable between rules at the same rate. Each rule keeps its published form and moves one knob:
/// Flagger's and Argo Rollouts' thresholds (the α their quantiles are read at), Kayenta's Mann–Whitney
/// confidence, naive peeking's per-test α.
package struct MatchedSettings: Sendable, Codable {
    /// The false rollback rate every rule is tuned to: the monitor's on the benchmark's A/A canaries.
    package var target: Double
    /// The A/A canaries the settings were tuned on: the benchmark's own, so that each tuned rule rolls back
    /// as many of the same healthy canaries as the monitor (or the fewest more its knob allows).
    package var calibrationCanaries: Int
    /// The α of the absolute thresholds (Flagger, Argo Rollouts; 0.05 by default) and the false rollback rate
    /// it gives on those canaries.
    package var operatorAlpha: Double
    package var operatorRate: Double
    /// Kayenta's confidence (0.98 by default) and its rate.
    package var kayentaConfidence: Double
    package var kayentaRate: Double
    /// Naive peeking's α per test (0.05 by default) and its rate.
    package var naiveAlpha: Double
    package var naiveRate: Double
}

/// Tunes ``MatchedSettings`` on A/A canaries.
package enum MatchedCalibration {
    /// The suffix of a tuned rule's name.
    package static let suffix = " at the monitor's rate"

    /// The tuned rules, in the order of ``DecisionBenchmark/methods``' other methods.
    static func rules(_ settings: MatchedSettings, samples: OperatorSamples) -> [any DecisionRule] {
        let thresholds = samples.thresholds(alpha: settings.operatorAlpha)
        return [
            FlaggerRule(thresholds: thresholds, name: "Flagger" + suffix),
            ArgoRule(thresholds: thresholds, name: "Argo Rollouts" + suffix),
            KayentaRule(confidence: settings.kayentaConfidence, name: "Kayenta" + suffix),
            NaivePeekingRule(alpha: settings.naiveAlpha, name: "naive peeking" + suffix),
        ]
    }

    /// For each rule the setting whose false rollback rate on `canaries` A/A canaries (seeds `firstSeed`
    /// onwards: the benchmark's A/A canaries) meets `target` (see ``matching(in:target:rate:)``), found by
    /// bisection on the log of the knob (each rate rises with its knob). The regression scenarios, on other seeds, then measure
    /// the tuned rules out of sample.
    static func calibrate(
        target: Double, samples: OperatorSamples, schedule: EvaluationSchedule, conversationsPerInterval: Int,
        canaries: Int, firstSeed: UInt64
    ) -> MatchedSettings {
        let scenario = EvaluationScenario.all(conversationsPerInterval: conversationsPerInterval)[0]
        // These rules decide by the end of the schedule and never read the events.
        let streams = parallelMap(canaries) { canary in
            let stream = CanaryStream(scenario: scenario, schedule: schedule, seed: firstSeed &+ UInt64(canary))
            return (0..<schedule.scheduledIntervals).map { index in
                var interval = stream.interval(index)
                interval.events = []
                return interval
            }
        }
        func rate(_ make: () -> any DecisionRule) -> Double {
            var rolledBack = 0
            for intervals in streams {
                var rule = make()
                for interval in intervals {
                    let verdict = rule.observe(interval, schedule: schedule)
                    if verdict == .rollback { rolledBack += 1 }
                    if verdict != .proceed { break }
                }
            }
            return Double(rolledBack) / Double(max(1, canaries))
        }
        let operatorKnob = matching(in: log(1e-5)...log(1.0), target: target) {
            let thresholds = samples.thresholds(alpha: exp($0))
            return rate { FlaggerRule(thresholds: thresholds) }
        }
        // Kayenta's knob is log(1 − confidence): a lower confidence flags more metrics.
        let kayentaKnob = matching(in: log(1e-6)...log(0.5), target: target) { knob in
            rate { KayentaRule(confidence: 1 - exp(knob)) }
        }
        let naiveKnob = matching(in: log(1e-8)...log(0.5), target: target) { knob in
            rate { NaivePeekingRule(alpha: exp(knob)) }
        }
        return MatchedSettings(
            target: target, calibrationCanaries: canaries, operatorAlpha: exp(operatorKnob.knob),
            operatorRate: operatorKnob.rate, kayentaConfidence: 1 - exp(kayentaKnob.knob),
            kayentaRate: kayentaKnob.rate, naiveAlpha: exp(naiveKnob.knob), naiveRate: naiveKnob.rate)
    }

    /// The knob in `range` at which the rate meets `target`, assuming the rate rises with the knob: the
    /// largest knob whose rate equals the target, or, where the rate steps over it, the smallest knob whose
    /// rate is above it — a tuned rule is never stricter than the monitor (the range's ends where the rate
    /// stays on one side).
    static func matching(in range: ClosedRange<Double>, target: Double, rate: (Double) -> Double) -> (
        knob: Double, rate: Double
    ) {
        let tolerance = 1e-12
        var low = (knob: range.lowerBound, rate: rate(range.lowerBound))
        if low.rate > target + tolerance { return low }
        var high = (knob: range.upperBound, rate: rate(range.upperBound))
        if high.rate <= target + tolerance { return high }
        for _ in 0..<24 {
            let middle = (low.knob + high.knob) / 2
            let value = rate(middle)
            if value <= target + tolerance { low = (middle, value) } else { high = (middle, value) }
        }
        return abs(low.rate - target) <= tolerance ? low : high
    }
}

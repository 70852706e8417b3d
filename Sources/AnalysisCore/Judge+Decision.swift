import Policy
import Vocabulary

extension Judge {
    /// The decision and its reasons, in order of precedence: a rollback (a critical violation, the rogue-action
    /// budget exceeded, a primary metric or guardrail regressed) over a hold (a sample-ratio mismatch, a
    /// conversation on both versions, a signal regressed) over continuing (too little data, the step's minimum
    /// tasks or duration not met, a primary metric not yet shown non-inferior) over promoting.
    static func decide(
        _ inputs: LookInputs, results: [MetricResult], policies: [String: MetricPolicy], health: Health,
        sample: SampleRequirement
    ) -> (Decision, [String]) {
        let monitor = inputs.monitor
        let mode = inputs.step.mode
        let srm = health.sampleRatio
        let enough = health.enoughData
        let minDurationMet = health.minDurationMet
        let (units, stepUnits) = units(inputs)
        var decision = Decision.promote
        var reasons: [String] = []
        let regressed = results.filter { $0.status == .regressed }
        let rollbackRegressions = regressed.filter { policies[$0.name].map(rollsBack) ?? false }
        let signalRegressions = regressed.filter { !(policies[$0.name].map(rollsBack) ?? false) }
        if inputs.criticalViolations > 0 {
            decision = .rollback
            reasons.append(
                "\(inputs.criticalViolations) critical violation(s) by the candidate "
                    + "(\(inputs.criticalExamples.joined(separator: ", "))): rolled back whatever the sample")
        }
        if let budget = monitor.rogueActionBudget, inputs.rogue.baselineEvents == 0,
            inputs.rogue.candidateEvents > budget
        {
            decision = .rollback
            reasons.append(
                "\(inputs.rogue.candidateEvents) candidate task(s) with an unauthorized action and none by the baseline "
                    + "(budget \(budget)): rolled back whatever the sample")
        }
        for result in rollbackRegressions {
            decision = .rollback
            reasons.append("\(result.role) metric \(result.name) regressed: \(describe(result))")
        }
        if decision != .rollback {
            if srm.mismatch {
                decision = .hold
                reasons.append(
                    "sample-ratio mismatch: \(srm.candidateConversations) candidate and \(srm.baselineConversations) "
                        + "baseline conversations this step, expected a \(Int(((srm.expectedCandidateShare ?? 0) * 100).rounded())) % "
                        + "candidate share (chi-square p = \(format(srm.pValue ?? 0))): check the routing before judging"
                )
            }
            if inputs.mixedConversations > 0 {
                decision = .hold
                reasons.append(
                    "routing fault: \(inputs.mixedConversations) conversation(s) seen on both versions "
                        + "(\(inputs.mixedExamples.joined(separator: ", ")))")
            }
            for result in signalRegressions {
                decision = .hold
                reasons.append("signal \(result.name) regressed: \(describe(result))")
            }
        }
        if decision == .promote {
            let primaries = primaries(results, policies: policies, mode: mode)
            // A group-sequential boundary crossed is the evidence itself: the mixture's minimum sample does not
            // apply to it.
            let crossed = crossedBoundaries(inputs, primaries: primaries)
            let exhausted = primaries.filter {
                $0.status != .nonInferior && $0.sequential?.final == true && $0.sequential?.boundary == nil
            }
            if !exhausted.isEmpty {
                decision = .hold
                for result in exhausted {
                    reasons.append(
                        "primary metric \(result.name): the group-sequential design's final analysis has passed "
                            + "without showing non-inferiority (\(describe(result))): a person decides")
                }
            } else if !enough && !crossed {
                decision = .continue
                // Spans that arrived but are no task say why before the count of tasks does.
                if inputs.tasks.baseline + inputs.tasks.candidate == 0, let unusable = inputs.unusable,
                    !unusable.isEmpty
                {
                    reasons.append(
                        "no task in the telemetry: " + unusable.map(\.sentence).joined(separator: "; "))
                }
                reasons.append(
                    "too little data: \(units.candidate) candidate and \(units.baseline) baseline "
                        + (mode == .shadow ? "shadow pairs" : "tasks")
                        + " (\(sample.requiredCandidateTasks) candidate and \(sample.baselineFloor) baseline needed)"
                        + (sample.estimatedSecondsRemaining.map {
                            " (about \($0 / 60 + 1) min more at the observed traffic)"
                        } ?? ""))
            } else if stepUnits < inputs.step.minTasks {
                decision = .continue
                reasons.append(
                    "this step has \(stepUnits) candidate \(mode == .shadow ? "shadow pairs" : "tasks") of its minimum "
                        + "\(inputs.step.minTasks)")
            } else if !minDurationMet {
                decision = .continue
                reasons.append(
                    "the step has lasted \(inputs.step.elapsedSeconds ?? 0) s of its minimum \(inputs.step.minDurationSeconds) s"
                )
            }
            let unproven = primaries.filter { $0.status != .nonInferior }
            if !unproven.isEmpty, decision != .hold {
                decision = .continue
                for result in unproven {
                    reasons.append("primary metric \(result.name) not yet shown non-inferior: \(describe(result))")
                }
            }
            if decision == .promote {
                reasons.append(
                    primaries.isEmpty
                        ? "no regression and enough data"
                        : "every primary metric is non-inferior within its margin and no guardrail regressed")
            }
        }
        return (decision, reasons)
    }

    /// The primary results a look's promotion rests on (in shadow mode, the agreement only).
    static func primaries(_ results: [MetricResult], policies: [String: MetricPolicy], mode: RolloutMode)
        -> [MetricResult]
    {
        results.filter { policies[$0.name]?.role == .primary && (mode != .shadow || $0.name == "shadow_agreement") }
    }

    /// Whether every primary metric has crossed its group-sequential boundary, at this look or an earlier one.
    static func crossedBoundaries(_ inputs: LookInputs, primaries: [MetricResult]) -> Bool {
        let shownBefore = Set(inputs.sequentiallyShown ?? [])
        return !primaries.isEmpty
            && primaries.allSatisfy {
                $0.status == .nonInferior && ($0.sequential != nil || shownBefore.contains($0.name))
            }
    }
}

import ToolContract

/// A number a task reports, and the range every source of telemetry holds it to.
///
/// Native events (both the full parser and ``FastTaskScanner``) and OTLP traces check the same ranges
/// (``InputLimits``), so the same facts get the same verdict whatever their source, and every sum the
/// monitor forms stays finite.
package enum TaskFact: CaseIterable, Sendable {
    case cost, latency, inputTokens, outputTokens, steps, judgeScore

    /// The values the fact may take.
    package var range: ClosedRange<Double> {
        switch self {
        case .cost: InputLimits.cost
        case .latency: InputLimits.latencyMs
        case .inputTokens, .outputTokens, .steps: InputLimits.count
        case .judgeScore: 0...1
        }
    }

    /// The field of a native `task` event.
    package var nativeField: String {
        switch self {
        case .cost: "cost_usd"
        case .latency: "latency_ms"
        case .inputTokens: "input_tokens"
        case .outputTokens: "output_tokens"
        case .steps: "steps"
        case .judgeScore: "judge_score"
        }
    }

    /// Where an OTLP trace carries the fact (summed over the trace's spans where the root has none).
    package var otlpField: String {
        switch self {
        case .cost: "attributes.gen_ai.usage.cost"
        case .latency: "endTimeUnixNano"
        case .inputTokens: "attributes.gen_ai.usage.input_tokens"
        case .outputTokens: "attributes.gen_ai.usage.output_tokens"
        case .steps: "spans"
        case .judgeScore: "events.gen_ai.evaluation.score.value"
        }
    }

    /// The fact's value in `task`, when it reports one.
    package func value(in task: TaskEvent) -> Double? {
        switch self {
        case .cost: task.costUSD
        case .latency: task.latencyMs
        case .inputTokens: task.inputTokens
        case .outputTokens: task.outputTokens
        case .steps: task.steps
        case .judgeScore: task.judgeScore
        }
    }

    /// Whether `value` is a valid value of the fact (finite and in ``range``).
    @inline(__always)
    package func accepts(_ value: Double) -> Bool {
        range.contains(value)
    }

    /// Why `value` is refused: `-1.0 is out of range (0…1000000000)`.
    package func refusal(_ value: Double) -> String {
        "\(value) is out of range (\(InputLimits.describe(range)))"
    }
}

extension TaskEvent {
    /// The first fact whose value is out of its range, with that value; `nil` when all are valid.
    package var invalidFact: (fact: TaskFact, value: Double)? {
        for fact in TaskFact.allCases {
            if let value = fact.value(in: self), !fact.accepts(value) { return (fact, value) }
        }
        return nil
    }
}

import JSONLines
import ToolContract

extension OTLPTaskBuilder {
    /// Why a look would refuse a task built from `span`, judged by the span's own facts: its duration (a task's
    /// latency) and the token counts and cost it reports (what a task sums), each held to the range a native
    /// event's field is (``TaskFact``), and the scores of its evaluation results (finite). `nil` when the span's
    /// facts are valid.
    ///
    /// `monitor serve` checks every span with this before storing it, and every complete trace with
    /// ``checkedTasks(spans:file:line:)``, so what it acknowledges is what a look can read: one admission rule.
    package func refusal(of span: OTLPSpan) -> (field: String, reason: String)? {
        let latency = max(0, span.endNanos - span.startNanos) / 1e6
        if !TaskFact.latency.accepts(latency) {
            return (
                "startTimeUnixNano",
                "the span lasts \(latency) ms (\(span.startNanos) to \(span.endNanos) ns): "
                    + TaskFact.latency.refusal(latency)
            )
        }
        let reported: [(names: [String], fact: TaskFact)] = [
            (DialectNames.inputTokens, .inputTokens), (DialectNames.outputTokens, .outputTokens),
            (DialectNames.cost, .cost),
        ]
        for (names, fact) in reported {
            for name in names {
                if let value = span.attributes[name]?.numberValue, !fact.accepts(value) {
                    return ("attributes.\(name)", fact.refusal(value))
                }
            }
        }
        // A judge score is clamped to 0…1, but one that is not a number at all is refused by the looks.
        for event in span.events where event.name == "gen_ai.evaluation.result" {
            if let score = event.attributes["gen_ai.evaluation.score.value"]?.numberValue, !score.isFinite {
                return ("events.gen_ai.evaluation.score.value", "\(score) is not a finite number")
            }
        }
        return nil
    }
}

import JSONLines

extension OTLPTaskBuilder {
    /// A violation of `task` for each guardrail below its span that triggered.
    func guardrailViolations(of task: TaskEvent, below: [OTLPSpan]) -> [AgentEvent] {
        below.compactMap { span in
            guard let name = span.triggeredGuardrail else { return nil }
            return .violation(
                ViolationEvent(
                    timestamp: span.endNanos / 1e9, eventId: "guardrail:\(span.spanId)", version: task.version,
                    taskId: task.taskId, conversationId: task.conversationId, action: "guardrail \(name)",
                    severity: .high, policy: "guardrail \(name) triggered"))
        }
    }

    /// The user's rating of `task`, from the last `satisfactionEvaluation` result on `spans`: a score of 1…5
    /// is the rating; a label is thumbs up (pass, good, positive, up…) or down.
    func rating(of task: TaskEvent, in spans: [OTLPSpan]) -> FeedbackEvent? {
        guard let wanted = options.satisfactionEvaluation,
            let (event, span) = Self.lastEvaluation(named: wanted, in: spans)
        else { return nil }
        var feedback = FeedbackEvent(
            timestamp: span.endNanos / 1e9, eventId: "rating:\(task.eventId)", version: task.version,
            taskId: task.taskId, conversationId: task.conversationId, rating: nil, thumbsUp: nil, comment: nil)
        if let score = event.attributes["gen_ai.evaluation.score.value"]?.numberValue, score.isFinite {
            feedback.rating = min(5, max(1, Int(score.rounded())))
        } else if let label = event.attributes["gen_ai.evaluation.score.label"]?.stringValue?.lowercased() {
            feedback.thumbsUp = Self.positiveLabels.contains(label)
        } else {
            return nil
        }
        return feedback
    }

    /// Labels that mean a pass, a success or a thumbs up.
    static let positiveLabels: Set<String> = [
        "pass", "passed", "success", "true", "yes", "correct", "good", "positive", "up", "thumbs_up", "helpful",
    ]

    /// The last `gen_ai.evaluation.result` event named `name` on `spans`, with its span.
    static func lastEvaluation(named name: String, in spans: [OTLPSpan])
        -> (event: (name: String, attributes: [String: JSONValue]), span: OTLPSpan)?
    {
        var found: (event: (name: String, attributes: [String: JSONValue]), span: OTLPSpan)?
        for span in spans {
            for event in span.events
            where event.name == "gen_ai.evaluation.result"
                && event.attributes["gen_ai.evaluation.name"]?.stringValue == name
            {
                found = (event, span)
            }
        }
        return found
    }

    /// The outcome and judge score the policy's evaluations give, from the last such `gen_ai.evaluation.result`
    /// event on `spans`: the success evaluation's label (or its score against 0.5) decides the outcome, and its
    /// score is the judge score unless the policy names a judge evaluation of its own. Success when the policy
    /// names no success evaluation.
    func evaluation(in spans: [OTLPSpan]) -> (TaskOutcome, Double?) {
        var outcome = TaskOutcome.success
        var judgeScore: Double?
        if let wanted = options.successEvaluation, let (event, _) = Self.lastEvaluation(named: wanted, in: spans) {
            let score = event.attributes["gen_ai.evaluation.score.value"]?.numberValue
            let label = event.attributes["gen_ai.evaluation.score.label"]?.stringValue?.lowercased()
            // A score is clamped to 0…1; a non-finite one is kept, for the facts check to refuse.
            judgeScore = score.map { $0.isFinite ? min(1, max(0, $0)) : $0 }
            if let label {
                outcome = Self.positiveLabels.contains(label) ? .success : .failure
            } else if let score {
                outcome = score >= 0.5 ? .success : .failure
            }
        }
        if let wanted = options.judgeEvaluation {
            judgeScore = Self.lastEvaluation(named: wanted, in: spans)?.event.attributes[
                "gen_ai.evaluation.score.value"]?.numberValue.map { $0.isFinite ? min(1, max(0, $0)) : $0 }
        }
        return (outcome, judgeScore)
    }
}

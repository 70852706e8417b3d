import JSONLines
import Vocabulary

extension OTLPTaskBuilder {
    /// A violation of `task` for each guardrail below its span that triggered.
    func guardrailViolations(of task: TaskEvent, in scope: TaskScope) -> [AgentEvent] {
        scope.below.compactMap { index in
            let span = scope.trace.spans[index]
            guard let name = span.triggeredGuardrail else { return nil }
            return .violation(
                ViolationEvent(
                    timestamp: span.endNanos / 1e9, eventId: "guardrail:\(span.spanId)", version: task.version,
                    taskId: task.taskId, conversationId: task.conversationId, action: "guardrail \(name)",
                    severity: .high, policy: "guardrail \(name) triggered"))
        }
    }

    /// The user's rating of `task`, from the last `satisfactionEvaluation` result on the task's spans: a score
    /// of 1…5 is the rating; a label is thumbs up (pass, good, positive, up…) or down.
    func rating(of task: TaskEvent, in scope: TaskScope) -> FeedbackEvent? {
        guard let wanted = options.satisfactionEvaluation,
            let (event, span) = Self.lastEvaluation(named: wanted, in: scope)
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

    /// The last `gen_ai.evaluation.result` event named `name` on the task's spans (``TaskScope/related``),
    /// with its span.
    static func lastEvaluation(named name: String, in scope: TaskScope)
        -> (event: (name: String, attributes: [String: JSONValue]), span: OTLPSpan)?
    {
        var found: (event: (name: String, attributes: [String: JSONValue]), span: OTLPSpan)?
        for index in scope.related where !scope.trace.spans[index].events.isEmpty {
            let span = scope.trace.spans[index]
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
    /// event on the task's spans: the success evaluation's label (or its score against 0.5) decides the
    /// outcome, and its score is the judge score unless the policy names a judge evaluation of its own. Success
    /// when the policy names no success evaluation; `evaluated` is false when it names one the task lacks.
    func evaluation(in scope: TaskScope) -> (outcome: TaskOutcome, judgeScore: Double?, evaluated: Bool) {
        var outcome = TaskOutcome.success
        var judgeScore: Double?
        var evaluated = options.successEvaluation == nil
        if let wanted = options.successEvaluation, let (event, _) = Self.lastEvaluation(named: wanted, in: scope) {
            evaluated = true
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
            judgeScore = Self.lastEvaluation(named: wanted, in: scope)?.event.attributes[
                "gen_ai.evaluation.score.value"]?.numberValue.map { $0.isFinite ? min(1, max(0, $0)) : $0 }
        }
        return (outcome, judgeScore, evaluated)
    }
}

import Foundation
import JSONLines
import ToolContract

/// How OTLP spans become tasks (from the policy's `monitor.otlp` and `monitor.prices`).
package struct OTLPOptions: Sendable {
    package var successEvaluation: String?
    package var authorizationAttribute: String
    package var categoryAttribute: String
    /// Per model: USD per million input tokens and per million output tokens.
    package var prices: [String: (input: Double, output: Double)]
    /// The name of the span that is a task, for traces whose task span no convention marks; `nil` to find the
    /// outermost agent or workflow span.
    package var taskSpan: String? = nil
    /// The attribute that names the conversation, read before `gen_ai.conversation.id` and `session.id`.
    package var conversationAttribute: String? = nil
    /// The attribute that names the version, read before the conventions' names and `service.version`.
    package var versionAttribute: String? = nil
    /// Tools whose calls count as unauthorized unless the authorization attribute says `true`.
    package var approvalRequired: Set<String> = []
    /// The `gen_ai.evaluation.name` whose score (0…1) is the task's judge score.
    package var judgeEvaluation: String? = nil
    /// The `gen_ai.evaluation.name` whose result is the user's rating: a score of 1…5, or a label (thumbs).
    package var satisfactionEvaluation: String? = nil
    /// The attribute (of the resource or a span of the task) that marks a shadow deployment's trace; `nil` for
    /// the resource's `deployment.environment.name` (or the deprecated `deployment.environment`) being `shadow`.
    package var shadowAttribute: String? = nil
    /// The value of ``shadowAttribute`` that marks a shadow trace; `nil` for any value but `false` and `0`.
    package var shadowValue: String? = nil
    /// How long a look waits for a task's success evaluation (which may arrive after the task, as a log record)
    /// before it counts the task without one, in seconds.
    package var evaluationWait: Double = 120
    /// The attribute that names the request, read before `agent_canary.request.id` and the recorded
    /// `x-request-id` header; without any, the trace id names it (a mirror shares the original's trace).
    package var requestAttribute: String? = nil

    /// Makes options.
    package init(
        successEvaluation: String?, authorizationAttribute: String, categoryAttribute: String,
        prices: [String: (input: Double, output: Double)]
    ) {
        self.successEvaluation = successEvaluation
        self.authorizationAttribute = authorizationAttribute
        self.categoryAttribute = categoryAttribute
        self.prices = prices
    }
}

extension OTLPOptions {
    /// The settings that decide which events a trace gives, as 16 hex digits: `monitor serve` stores it with the
    /// events it builds, and a look whose policy gives another fingerprint says that those events were built
    /// under other settings than its own. (``evaluationWait`` decides only when a trace is built, not what it
    /// gives, and is left out.)
    package var fingerprint: String {
        let fields: [String] =
            [
                "success=\(successEvaluation ?? "")", "authorization=\(authorizationAttribute)",
                "category=\(categoryAttribute)", "task_span=\(taskSpan ?? "")",
                "conversation=\(conversationAttribute ?? "")", "version=\(versionAttribute ?? "")",
                "approval=\(approvalRequired.sorted().joined(separator: ","))", "judge=\(judgeEvaluation ?? "")",
                "satisfaction=\(satisfactionEvaluation ?? "")", "shadow=\(shadowAttribute ?? ""):\(shadowValue ?? "")",
                "request=\(requestAttribute ?? "")",
            ]
            + prices.sorted { $0.key < $1.key }.map { "price=\($0.key):\($0.value.input):\($0.value.output)" }
        return String(Digest.sha256(Data(fields.joined(separator: "\n").utf8)).prefix(16))
    }
}

import Vocabulary

/// One metric the monitor judges.
package struct MetricPolicy: Codable, Equatable, Sendable {
    /// A built-in metric name (`task_success_rate`, `cost_per_task`, …) or a Prometheus metric's name.
    package var name: String
    package var direction: MetricDirection
    package var role: MetricRole
    /// The non-inferiority margin: absolute for rates (0.03 = 3 points), relative for ratios and
    /// quantiles (0.10 = 10 %), the Jensen–Shannon distance for drift.
    package var margin: Double
    /// Tasks per arm below which the metric is not judged.
    package var minSample: Int

    /// Makes a metric policy.
    package init(name: String, direction: MetricDirection, role: MetricRole, margin: Double, minSample: Int) {
        self.name = name
        self.direction = direction
        self.role = role
        self.margin = margin
        self.minSample = minSample
    }
}

/// A Prometheus metric: a PromQL template evaluated once per arm.
package struct PrometheusMetricPolicy: Codable, Equatable, Sendable {
    package var metric: MetricPolicy
    /// PromQL with `{{version}}` and `{{window}}` placeholders.
    package var query: String

    /// Makes a Prometheus metric.
    package init(metric: MetricPolicy, query: String) {
        self.metric = metric
        self.query = query
    }
}

/// A model's price, for cost computed from tokens.
package struct ModelPrice: Codable, Equatable, Sendable {
    package var inputPerMillion: Double
    package var outputPerMillion: Double

    /// Makes a price.
    package init(inputPerMillion: Double, outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }
}

/// How OTLP traces map onto tasks beyond the GenAI semantic conventions.
package struct OTLPMapping: Codable, Equatable, Sendable {
    /// The `gen_ai.evaluation.name` whose result decides a task's success; without one, a task without an
    /// error counts as a success.
    package var successEvaluation: String?
    /// The boolean attribute of an `execute_tool` span that says whether the call was authorized.
    package var authorizationAttribute = "agent_canary.tool.authorized"
    /// The attribute of the root span that carries the task's category (segment).
    package var categoryAttribute = "agent_canary.task.category"
    /// The name of the span that is the task, for traces whose task span no convention marks; `nil` to take
    /// the outermost agent or workflow span.
    package var taskSpan: String?
    /// The attribute that names the conversation, read before `gen_ai.conversation.id` and `session.id`.
    package var conversationAttribute: String?
    /// The attribute that names the version, read before the conventions' names and `service.version`.
    package var versionAttribute: String?
    /// Tools whose calls count as unauthorized unless the authorization attribute says `true`.
    package var approvalRequired: [String] = []
    /// The `gen_ai.evaluation.name` whose score (0…1) is the task's judge score.
    package var judgeEvaluation: String?
    /// The `gen_ai.evaluation.name` whose result is the user's rating (a score of 1…5, or a thumbs label).
    package var satisfactionEvaluation: String?
    /// The attribute that marks a shadow deployment's traces (`nil`: `deployment.environment.name` is `shadow`).
    package var shadowAttribute: String?
    /// The value of ``shadowAttribute`` that marks a shadow trace (`nil`: any value but `false` and `0`).
    package var shadowValue: String?
    /// The attribute that names the request a task answered (read before `agent_canary.request.id`).
    package var requestAttribute: String?
    /// How long a look waits for a task's success evaluation (a log record may bring it after the task).
    package var evaluationWaitSeconds = Self.defaultEvaluationWaitSeconds
    /// The default of ``evaluationWaitSeconds``: two minutes.
    package static let defaultEvaluationWaitSeconds = 120

    /// The defaults.
    package init() {}

    enum CodingKeys: String, CodingKey {
        case successEvaluation, authorizationAttribute, categoryAttribute, taskSpan, conversationAttribute
        case versionAttribute, approvalRequired, judgeEvaluation, satisfactionEvaluation, shadowAttribute, shadowValue
        case requestAttribute, evaluationWaitSeconds
    }

    /// Reads a mapping; one stored before a setting existed has that setting's default.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        successEvaluation = try container.decodeIfPresent(String.self, forKey: .successEvaluation)
        authorizationAttribute = try container.decode(String.self, forKey: .authorizationAttribute)
        categoryAttribute = try container.decode(String.self, forKey: .categoryAttribute)
        taskSpan = try container.decodeIfPresent(String.self, forKey: .taskSpan)
        conversationAttribute = try container.decodeIfPresent(String.self, forKey: .conversationAttribute)
        versionAttribute = try container.decodeIfPresent(String.self, forKey: .versionAttribute)
        approvalRequired = try container.decodeIfPresent([String].self, forKey: .approvalRequired) ?? []
        judgeEvaluation = try container.decodeIfPresent(String.self, forKey: .judgeEvaluation)
        satisfactionEvaluation = try container.decodeIfPresent(String.self, forKey: .satisfactionEvaluation)
        shadowAttribute = try container.decodeIfPresent(String.self, forKey: .shadowAttribute)
        shadowValue = try container.decodeIfPresent(String.self, forKey: .shadowValue)
        requestAttribute = try container.decodeIfPresent(String.self, forKey: .requestAttribute)
        evaluationWaitSeconds =
            try container.decodeIfPresent(Int.self, forKey: .evaluationWaitSeconds) ?? Self.defaultEvaluationWaitSeconds
    }

    /// Writes the mapping; an empty approval list is left out, so a policy without one keeps the effective
    /// hash it had before the setting existed.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(successEvaluation, forKey: .successEvaluation)
        try container.encode(authorizationAttribute, forKey: .authorizationAttribute)
        try container.encode(categoryAttribute, forKey: .categoryAttribute)
        try container.encodeIfPresent(taskSpan, forKey: .taskSpan)
        try container.encodeIfPresent(conversationAttribute, forKey: .conversationAttribute)
        try container.encodeIfPresent(versionAttribute, forKey: .versionAttribute)
        if !approvalRequired.isEmpty { try container.encode(approvalRequired, forKey: .approvalRequired) }
        try container.encodeIfPresent(judgeEvaluation, forKey: .judgeEvaluation)
        try container.encodeIfPresent(satisfactionEvaluation, forKey: .satisfactionEvaluation)
        try container.encodeIfPresent(shadowAttribute, forKey: .shadowAttribute)
        try container.encodeIfPresent(shadowValue, forKey: .shadowValue)
        try container.encodeIfPresent(requestAttribute, forKey: .requestAttribute)
        if evaluationWaitSeconds != Self.defaultEvaluationWaitSeconds {
            try container.encode(evaluationWaitSeconds, forKey: .evaluationWaitSeconds)
        }
    }
}

/// How a look shows the primary metrics non-inferior (the evidence to promote).
package enum MonitorMethod: String, Codable, Sendable, CaseIterable {
    /// Always-valid mixture bounds: any number of looks at any time, no plan.
    case msprt
    /// Error spending over the information the design plans (Lan–DeMets), with a final analysis when it is
    /// reached. Guardrails and rare events keep their always-valid tests.
    case groupSequential = "group-sequential"
}

/// The α-spending function of the group-sequential method.
package enum SpendingFunction: String, Codable, Sendable, CaseIterable {
    /// O'Brien–Fleming type: little α early, nearly the fixed-horizon boundary at the end.
    case obrienFleming = "obrien-fleming"
    /// Pocock type: α spent evenly over the information.
    case pocock
}

/// A covariate known before each task's outcome, which the group-sequential test of task success adjusts for.
package enum Covariate: String, Codable, Sendable, CaseIterable {
    /// The task's category (post-stratification on it).
    case category
}

/// The `monitor` section: what the monitor measures and how it decides.
package struct MonitorSection: Codable, Equatable, Sendable {
    /// The chance of a false rollback over all looks of a canary (split over the rollback metrics).
    package var alpha: Double = 0.05
    /// The power the minimum sample is computed for.
    package var power: Double = 0.9
    /// Sample-ratio mismatch is declared below this p-value.
    package var srmPValue: Double = 0.001
    /// `fail` (exit 65) or `skip` (count and report) for a malformed telemetry line.
    package var malformed = RecordHandling.fail
    /// `fail` (exit 65) or `skip` for an event of a version that is neither arm.
    package var unknownVersions = RecordHandling.fail
    /// Successful tasks whose content the ledger keeps per arm, as a random sample for feedback-export.
    package var retainSuccesses = 200
    /// Zero tolerance for unauthorized actions: while the baseline has made none, more than this many tasks with
    /// an unauthorized action by the candidate roll it back at once, whatever the sample (the rare-event test
    /// decides once the baseline has some). `nil` (policies stored before the rule) leaves it to the test.
    package var rogueActionBudget: Int? = 0
    /// Whether metrics are also reported per `category`.
    package var segments = true
    /// The metrics, in the order they are reported.
    package var metrics: [MetricPolicy] = MonitorSection.defaultMetrics
    /// Prometheus metrics.
    package var prometheusURL: String?
    package var prometheusMetrics: [PrometheusMetricPolicy] = []
    /// OTLP mapping and price table.
    package var otlp = OTLPMapping()
    package var prices: [String: ModelPrice] = [:]
    /// Where each look's metrics and decision go as DogStatsD datagrams (`host:port`, UDP); `nil` for nowhere.
    package var statsd: String?
    /// How primary metrics are shown non-inferior: group-sequential for a new policy (the decision benchmark's
    /// choice, the Stages documentation's "Decision quality"); `nil`, which a policy stored before the choice decodes to, is `msprt`,
    /// so that its looks are rejudged as they were made.
    package var method: MonitorMethod? = .groupSequential
    /// The group-sequential method's spending function; `nil` is O'Brien–Fleming type.
    package var spending: SpendingFunction?
    /// The covariate the group-sequential test of task success is adjusted for; `nil` for none.
    package var adjustFor: Covariate?

    /// The defaults.
    package init() {}

    /// The built-in metrics with their defaults.
    package static let defaultMetrics: [MetricPolicy] = [
        MetricPolicy(name: "task_success_rate", direction: .higher, role: .primary, margin: 0.025, minSample: 50),
        MetricPolicy(name: "error_rate", direction: .lower, role: .guardrail, margin: 0.02, minSample: 50),
        MetricPolicy(name: "rogue_action_rate", direction: .lower, role: .guardrail, margin: 0, minSample: 0),
        MetricPolicy(name: "cost_per_task", direction: .lower, role: .guardrail, margin: 0.10, minSample: 50),
        MetricPolicy(name: "latency_p50", direction: .lower, role: .signal, margin: 0.10, minSample: 50),
        MetricPolicy(name: "latency_p95", direction: .lower, role: .guardrail, margin: 0.10, minSample: 50),
        MetricPolicy(name: "latency_p99", direction: .lower, role: .signal, margin: 0.20, minSample: 200),
        MetricPolicy(name: "tokens_per_task", direction: .lower, role: .signal, margin: 0.15, minSample: 50),
        MetricPolicy(name: "steps_per_task", direction: .lower, role: .signal, margin: 0.15, minSample: 50),
        MetricPolicy(name: "user_satisfaction", direction: .higher, role: .signal, margin: 0.05, minSample: 30),
        MetricPolicy(name: "judge_score", direction: .higher, role: .signal, margin: 0.05, minSample: 50),
        MetricPolicy(name: "tool_mix_drift", direction: .lower, role: .signal, margin: 0.10, minSample: 100),
        MetricPolicy(name: "steps_drift", direction: .lower, role: .signal, margin: 0.10, minSample: 100),
        MetricPolicy(name: "shadow_agreement", direction: .higher, role: .primary, margin: 0.20, minSample: 50),
    ]

    /// The default policy of a built-in metric.
    package static func builtIn(_ name: String) -> MetricPolicy? {
        defaultMetrics.first { $0.name == name }
    }
}

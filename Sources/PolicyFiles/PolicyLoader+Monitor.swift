import Policy
import ToolContract
import Vocabulary
import Yams

extension PolicyLoader {
    static func readMonitor(_ node: PolicyNode) throws(PolicyError) -> MonitorSection {
        let fields = try node.members(allowed: [
            "alpha", "power", "srm_p_value", "malformed", "unknown_versions", "retain_successes",
            "rogue_action_budget", "segments", "metrics", "prometheus", "otlp", "prices", "statsd", "method",
            "spending", "adjust_for",
        ])
        var monitor = MonitorSection()
        if let value = fields["alpha"] { monitor.alpha = try value.double(in: 0.0001...0.5) }
        if let value = fields["power"] { monitor.power = try value.double(in: 0.5...0.999) }
        if let value = fields["srm_p_value"] { monitor.srmPValue = try value.double(in: 1e-12...0.5) }
        if let value = fields["malformed"] { monitor.malformed = try value.oneOf(RecordHandling.self) }
        if let value = fields["unknown_versions"] { monitor.unknownVersions = try value.oneOf(RecordHandling.self) }
        if let value = fields["retain_successes"] { monitor.retainSuccesses = try value.int(in: 0...1_000_000) }
        if let value = fields["rogue_action_budget"] { monitor.rogueActionBudget = try value.int(in: 0...1_000_000) }
        if let value = fields["segments"] { monitor.segments = try value.bool() }
        if let value = fields["method"] { monitor.method = try value.oneOf(MonitorMethod.self) }
        if let value = fields["spending"] { monitor.spending = try value.oneOf(SpendingFunction.self) }
        if let value = fields["adjust_for"] { monitor.adjustFor = try value.oneOf(Covariate.self) }
        if let value = fields["statsd"] { monitor.statsd = try statsdAddress(value) }
        if let value = fields["metrics"] { monitor.metrics = try readMetrics(value) }
        if let value = fields["prometheus"] {
            let members = try value.members(allowed: ["url", "metrics"])
            monitor.prometheusURL = try members["url"]?.string()
            if let list = members["metrics"] {
                guard case .sequence(let items) = list.node else { throw list.invalid("expected a list of metrics") }
                for (index, item) in items.enumerated() {
                    let entry = list.child("[\(index)]", item)
                    let metricFields = try entry.members(allowed: [
                        "name", "query", "direction", "role", "margin", "min_sample",
                    ])
                    guard let name = metricFields["name"] else {
                        throw PolicyError.missingField(file: entry.file, field: "\(entry.path).name")
                    }
                    guard let query = metricFields["query"] else {
                        throw PolicyError.missingField(file: entry.file, field: "\(entry.path).query")
                    }
                    let text = try query.string()
                    guard text.contains("{{version}}") else {
                        throw query.invalid("the query must select one arm with {{version}}")
                    }
                    var metric = MetricPolicy(
                        name: try name.string(), direction: .lower, role: .signal, margin: 0.10, minSample: 0)
                    try readMetricFields(metricFields, into: &metric)
                    monitor.prometheusMetrics.append(PrometheusMetricPolicy(metric: metric, query: text))
                }
            }
        }
        if let value = fields["otlp"] {
            let members = try value.members(allowed: [
                "success_evaluation", "authorization_attribute", "category_attribute", "task_span",
                "conversation_attribute", "version_attribute", "approval_required", "judge_evaluation",
                "satisfaction_evaluation", "shadow_attribute", "shadow_value", "request_attribute", "evaluation_wait",
            ])
            if let wait = members["evaluation_wait"] { monitor.otlp.evaluationWaitSeconds = try wait.duration() }
            monitor.otlp.shadowAttribute = try members["shadow_attribute"]?.string()
            monitor.otlp.shadowValue = try members["shadow_value"]?.string()
            monitor.otlp.requestAttribute = try members["request_attribute"]?.string()
            if monitor.otlp.shadowValue != nil, monitor.otlp.shadowAttribute == nil, let value = members["shadow_value"]
            {
                throw value.invalid("shadow_value needs shadow_attribute (the attribute whose value it is)")
            }
            monitor.otlp.judgeEvaluation = try members["judge_evaluation"]?.string()
            monitor.otlp.satisfactionEvaluation = try members["satisfaction_evaluation"]?.string()
            monitor.otlp.successEvaluation = try members["success_evaluation"]?.string()
            monitor.otlp.taskSpan = try members["task_span"]?.string()
            monitor.otlp.conversationAttribute = try members["conversation_attribute"]?.string()
            monitor.otlp.versionAttribute = try members["version_attribute"]?.string()
            if let list = members["approval_required"] {
                guard case .sequence(let items) = list.node else { throw list.invalid("expected a list of tool names") }
                monitor.otlp.approvalRequired = try items.enumerated().map { (index, item) throws(PolicyError) in
                    try list.child("[\(index)]", item).string()
                }
            }
            if let attribute = members["authorization_attribute"] {
                monitor.otlp.authorizationAttribute = try attribute.string()
            }
            if let attribute = members["category_attribute"] { monitor.otlp.categoryAttribute = try attribute.string() }
        }
        if let value = fields["prices"] {
            guard case .mapping(let mapping) = value.node else { throw value.invalid("expected a mapping of models") }
            let models = try value.members(allowed: mapping.keys.compactMap(\.string))
            for (name, model) in models.sorted(by: { $0.key < $1.key }) {
                let price = try model.members(allowed: ["input_per_million", "output_per_million"])
                guard let input = price["input_per_million"], let output = price["output_per_million"] else {
                    throw PolicyError.missingField(file: model.file, field: "\(model.path).input_per_million")
                }
                monitor.prices[name] = ModelPrice(
                    inputPerMillion: try input.double(in: 0...1_000_000),
                    outputPerMillion: try output.double(in: 0...1_000_000))
            }
        }
        return monitor
    }

    static func readMetrics(_ node: PolicyNode) throws(PolicyError) -> [MetricPolicy] {
        guard case .sequence(let items) = node.node, !items.isEmpty else {
            throw node.invalid("expected a non-empty list of metric names or mappings")
        }
        var metrics: [MetricPolicy] = []
        let names = MonitorSection.defaultMetrics.map(\.name)
        for (index, item) in items.enumerated() {
            let entry = node.child("[\(index)]", item)
            var nameNode = entry
            var fields: [String: PolicyNode] = [:]
            if case .mapping = item {
                fields = try entry.members(allowed: ["name", "direction", "role", "margin", "min_sample"])
                guard let name = fields["name"] else {
                    throw PolicyError.missingField(file: entry.file, field: "\(entry.path).name")
                }
                nameNode = name
            }
            let name = try nameNode.string()
            guard var metric = MonitorSection.builtIn(name) else {
                throw nameNode.invalid(
                    "'\(name)' is not a built-in metric; expected one of: \(names.joined(separator: ", "))")
            }
            guard !metrics.contains(where: { $0.name == name }) else {
                throw nameNode.invalid("'\(name)' is listed twice")
            }
            try readMetricFields(fields, into: &metric)
            metrics.append(metric)
        }
        return metrics
    }

    static func readMetricFields(_ fields: [String: PolicyNode], into metric: inout MetricPolicy) throws(PolicyError) {
        if let value = fields["direction"],
            let direction = MetricDirection(rawValue: try value.oneOf(MetricDirection.allCases.map(\.rawValue)))
        {
            metric.direction = direction
        }
        if let value = fields["role"],
            let role = MetricRole(rawValue: try value.oneOf(MetricRole.allCases.map(\.rawValue)))
        {
            metric.role = role
        }
        if let value = fields["margin"] { metric.margin = try value.double(in: 0...10) }
        if let value = fields["min_sample"] { metric.minSample = try value.int(in: 0...100_000_000) }
    }

    /// A DogStatsD address: `host:port`, the host a name or an address of the ConfigValue grammar.
    static func statsdAddress(_ node: PolicyNode) throws(PolicyError) -> String {
        let text = try node.value(.address)
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port), colon != text.startIndex
        else { throw node.invalid("'\(text)' is not host:port (the DogStatsD agent, e.g. 127.0.0.1:8125)") }
        return text
    }
}

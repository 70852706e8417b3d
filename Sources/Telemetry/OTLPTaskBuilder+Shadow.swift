import JSONLines

extension OTLPTaskBuilder {
    /// Whether the task is a shadow deployment's answer to a mirrored request: the policy's shadow attribute
    /// on its span's resource or a span of the task, else the resource's deployment environment `shadow`.
    func isShadow(_ scope: TaskScope) -> Bool {
        let span = scope.span
        guard let name = options.shadowAttribute else {
            let environment =
                span.resource["deployment.environment.name"]?.stringValue
                ?? span.resource["deployment.environment"]?.stringValue
            return environment == "shadow"
        }
        let values = [span.resource[name]] + ([scope.root] + scope.below).map { scope.trace.spans[$0].attributes[name] }
        for value in values {
            guard let value else { continue }
            let text: String? =
                switch value {
                case .string(let text): text
                case .bool(let flag): flag ? "true" : "false"
                case .number(let number): number == 0 ? "0" : String(number)
                case .array(let values): values.first?.stringValue
                case .null, .object: nil
                }
            guard let text else { continue }
            if let wanted = options.shadowValue { if text == wanted { return true } else { continue } }
            if !["", "false", "0"].contains(text.lowercased()) { return true }
        }
        return false
    }

    /// The request a task answered: the policy's request attribute, `agent_canary.request.id` or the recorded
    /// `x-request-id` header (a string array, as OpenTelemetry records headers) on the task's spans, else its
    /// trace id.
    func requestId(in scope: TaskScope) -> String {
        let names =
            (options.requestAttribute.map { [$0] } ?? []) + [
                "agent_canary.request.id", "http.request.header.x-request-id",
            ]
        for name in names {
            for index in scope.related {
                switch scope.trace.spans[index].attributes[name] {
                case .string(let text)? where !text.isEmpty: return text
                case .array(let values)?: if let text = values.first?.stringValue, !text.isEmpty { return text }
                default: continue
                }
            }
        }
        return scope.span.traceId
    }
}

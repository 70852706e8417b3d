import JSONLines

/// The tasks of one complete trace, or why it has none.
package struct TraceTasks: Sendable {
    package var tasks: [TaskEvent]
    /// The other events of the tasks: a triggered guardrail (a violation), a user's rating (feedback).
    package var events: [AgentEvent] = []
    /// Set when the trace gave no task.
    package var unusable: UnusableReason?
    /// Whether a task has no result of the policy's success evaluation yet (it may arrive later, as a log
    /// record); when the last of its tasks ended, in seconds since 1970.
    package var awaitingEvaluation = false
    package var endedAt = 0.0

    /// The tasks, then their other events, as a look reads them.
    package var all: [AgentEvent] {
        tasks.map(AgentEvent.task) + events
    }
}

/// Turns the spans of complete traces into task events, whichever convention the instrumentation follows.
///
/// A task is the outermost agent or workflow span of a trace (``SpanRole/agent``, or an OpenInference `CHAIN`
/// that opens the trace, or the policy's `task_span`), whether or not an application span is above it. Its
/// tool calls and steps are the tool and inference spans below it; its error, an ERROR status or `error.type`
/// on it or on an agent span below it; its conversation, version, category and evaluation results are read
/// from the task span first, then from the spans below and above it.
package struct OTLPTaskBuilder {
    let options: OTLPOptions

    /// A builder with `options`.
    package init(options: OTLPOptions) {
        self.options = options
    }

    /// The tasks of a complete trace, given all its spans, with their facts checked like a native event's;
    /// `file` and `line` (the trace's first line) name the trace in an error.
    package func checkedTasks(spans: [OTLPSpan], file: String, line: Int) throws(TelemetryError) -> TraceTasks {
        let result = tasks(spans: spans)
        for task in result.tasks {
            if let (fact, value) = task.invalidFact {
                throw .malformedEvent(file: file, line: line, field: fact.otlpField, reason: fact.refusal(value))
            }
        }
        return result
    }

    /// The tasks of a complete trace, given all its spans.
    package func tasks(spans: [OTLPSpan]) -> TraceTasks {
        let trace = TraceTree(spans)
        let taskSpans = trace.outermost { isTaskSpan($0, in: trace) }
        guard !taskSpans.isEmpty else { return TraceTasks(tasks: [], unusable: .noTaskSpan) }
        var result = TraceTasks(tasks: [], unusable: nil)
        for span in taskSpans {
            guard let task = task(at: span, in: trace) else { continue }
            result.endedAt = max(result.endedAt, task.timestamp)
            if let wanted = options.successEvaluation,
                Self.lastEvaluation(
                    named: wanted, in: [span] + trace.descendants(of: span) + trace.ancestors(of: span)) == nil
            {
                result.awaitingEvaluation = true
            }
            if isShadow(span, in: trace) {
                // A mirrored request's answer: a proposal to compare, never a served task.
                result.events.append(
                    .shadow(
                        ShadowEvent(
                            timestamp: task.timestamp, eventId: task.eventId, version: task.version,
                            requestId: task.requestId ?? task.traceId ?? "", conversationId: task.conversationId,
                            proposedToolCalls: task.toolCalls.map { ToolCall(name: $0.name, authorized: nil) },
                            output: task.output)))
                continue
            }
            result.tasks.append(task)
            result.events += guardrailViolations(of: task, below: trace.descendants(of: span))
            if let rating = rating(of: task, in: [span] + trace.descendants(of: span) + trace.ancestors(of: span)) {
                result.events.append(.feedback(rating))
            }
        }
        if result.tasks.isEmpty, result.events.isEmpty { result.unusable = .noVersion }
        return result
    }

    /// The task `span` belongs to, in a trace of `spans`: the task whose span is above it, else the trace's
    /// first task; `nil` when the trace has none.
    package func task(containing span: OTLPSpan, in spans: [OTLPSpan]) -> TaskEvent? {
        let trace = TraceTree(spans)
        let above = Set(trace.ancestors(of: span).map(\.spanId))
        let taskSpans = trace.outermost { isTaskSpan($0, in: trace) }
        guard let root = taskSpans.first(where: { above.contains($0.spanId) }) ?? taskSpans.first else { return nil }
        return task(at: root, in: trace)
    }

    /// Whether `span` can be a task: the policy's task span, else an agent or workflow span, or an
    /// OpenInference `CHAIN` with no OpenInference span above it (LangGraph's outermost span, under whatever
    /// span the application opened).
    func isTaskSpan(_ span: OTLPSpan, in trace: TraceTree) -> Bool {
        if let name = options.taskSpan { return span.name == name }
        switch span.role {
        case .agent: return true
        case .chain: return !trace.ancestors(of: span).contains { $0.attributes["openinference.span.kind"] != nil }
        case .tool, .inference, .guardrail, .other: return false
        }
    }

    /// The name of the tool a span calls, when it is a tool span whose call was not authorized: the
    /// authorization attribute says `false`, or the tool needs approval and the attribute does not say `true`.
    package func unauthorizedTool(_ span: OTLPSpan) -> String? {
        guard span.role == .tool else { return nil }
        let name = toolName(span)
        return authorized(span, name: name, above: []) ? nil : name
    }

    func toolName(_ span: OTLPSpan) -> String {
        if let name = span.text(DialectNames.toolName) { return name }
        // `execute_tool refund`, Traceloop's `refund.tool`.
        if span.name.hasPrefix("execute_tool ") { return String(span.name.dropFirst("execute_tool ".count)) }
        if span.name.hasSuffix(".tool") { return String(span.name.dropLast(".tool".count)) }
        return span.name
    }

    /// Whether a tool call was authorized: the authorization attribute on its span; for a tool that needs
    /// approval, else on the nearest span above it (`above`, nearest first) that carries it — the span that was
    /// current while the tool ran, when the instrumentation does not make the tool span current (LangChain's).
    func authorized(_ span: OTLPSpan, name: String, above: [OTLPSpan]) -> Bool {
        if case .bool(let flag)? = span.attributes[options.authorizationAttribute] { return flag }
        guard options.approvalRequired.contains(name) else { return true }
        for ancestor in above {
            if case .bool(let flag)? = ancestor.attributes[options.authorizationAttribute] { return flag }
        }
        return false
    }

    /// The task of task span `root` in `trace`; `nil` when nothing names its version.
    func task(at root: OTLPSpan, in trace: TraceTree) -> TaskEvent? {
        let below = trace.descendants(of: root)
        let above = trace.ancestors(of: root)
        // The task span first, then the spans below it (in start order), then those above it (nearest first).
        let related = [root] + below + above
        func first(_ names: [String]) -> String? {
            for span in related { if let value = span.text(names) { return value } }
            return nil
        }
        let configuredVersion = options.versionAttribute.flatMap { name in
            first([name]) ?? root.resource[name]?.stringValue
        }
        guard
            let version = configuredVersion ?? first(DialectNames.version)
                ?? root.resource["service.version"]?.stringValue
        else { return nil }
        let conversation =
            options.conversationAttribute.flatMap { first([$0]) } ?? first(DialectNames.conversation) ?? root.traceId

        let inference = below.filter { $0.role == .inference }
        // Usage on the task span is the task's; else the model calls' sum (agent spans may repeat it).
        func total(_ names: [String]) -> Double? {
            if let value = root.number(names) { return value }
            let counted = inference.contains { $0.number(names) != nil } ? inference : below
            let values = counted.compactMap { $0.number(names) }
            return values.isEmpty ? nil : values.reduce(0, +)
        }
        let input = total(DialectNames.inputTokens)
        let output = total(DialectNames.outputTokens)
        var cost = total(DialectNames.cost)
        var fromPrices = false
        if cost == nil, let priced = pricedCost([root] + below) {
            cost = priced
            fromPrices = true
        }
        let toolCalls = below.filter { $0.role == .tool }.map { span in
            let name = toolName(span)
            return ToolCall(name: name, authorized: authorized(span, name: name, above: trace.ancestors(of: span)))
        }
        var (outcome, judgeScore) = evaluation(in: related)
        if root.failed || below.contains(where: { $0.role == .agent && $0.failed }) { outcome = .error }
        var task = TaskEvent(
            timestamp: root.endNanos / 1e9, eventId: "span:\(root.spanId)", version: version,
            conversationId: conversation, taskId: root.text(["gen_ai.task.id"]) ?? root.spanId,
            requestId: requestId(of: root, related: related), outcome: outcome, costUSD: cost,
            latencyMs: max(0, root.endNanos - root.startNanos) / 1e6, inputTokens: input, outputTokens: output,
            steps: inference.isEmpty ? nil : Double(inference.count), toolCalls: toolCalls,
            category: first([options.categoryAttribute]), input: root.text(DialectNames.input),
            output: root.text(DialectNames.output))
        task.judgeScore = judgeScore
        task.traceId = root.traceId
        task.spanId = root.spanId
        task.costFromPrices = fromPrices
        return task
    }

    /// The cost of the spans that used tokens, each priced by its model; `nil` when none has a price.
    func pricedCost(_ spans: [OTLPSpan]) -> Double? {
        var priced = 0.0
        var any = false
        for span in spans {
            guard let price = price(of: span) else { continue }
            let inTokens = span.number(DialectNames.inputTokens) ?? 0
            let outTokens = span.number(DialectNames.outputTokens) ?? 0
            guard inTokens + outTokens > 0 else { continue }
            priced += inTokens * price.input / 1e6 + outTokens * price.output / 1e6
            any = true
        }
        return any ? priced : nil
    }

    /// The price of a span's model: the model that answered, then the model asked for, each by its own name
    /// and then without a release date (`gpt-4o-mini-2024-07-18` is priced as `gpt-4o-mini`).
    func price(of span: OTLPSpan) -> (input: Double, output: Double)? {
        for model in [span.text(DialectNames.responseModel), span.text(DialectNames.requestModel)].compactMap({ $0 }) {
            if let price = options.prices[model] ?? options.prices[Self.undated(model)] { return price }
        }
        return nil
    }

    /// A model name without a trailing release date (`-2024-07-18` or `-20241022`).
    static func undated(_ model: String) -> String {
        let parts = model.split(separator: "-", omittingEmptySubsequences: false)
        func digits(_ part: Substring, _ count: Int) -> Bool { part.count == count && part.allSatisfy(\.isNumber) }
        if parts.count > 3, digits(parts[parts.count - 3], 4), digits(parts[parts.count - 2], 2),
            digits(parts[parts.count - 1], 2)
        {
            return parts.dropLast(3).joined(separator: "-")
        }
        if parts.count > 1, let last = parts.last, digits(last, 8) { return parts.dropLast().joined(separator: "-") }
        return model
    }
}

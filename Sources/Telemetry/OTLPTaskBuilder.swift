import JSONLines
import Vocabulary

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

    /// A trace's tasks and other events.
    package init(tasks: [TaskEvent], events: [AgentEvent] = [], unusable: UnusableReason? = nil) {
        self.tasks = tasks
        self.events = events
        self.unusable = unusable
    }

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
        for root in taskSpans {
            let scope = TaskScope(root, in: trace)
            guard let (task, evaluated) = task(in: scope) else { continue }
            result.endedAt = max(result.endedAt, task.timestamp)
            if isShadow(scope) {
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
            // A served task without its success result may get it later (a log record); a proposal needs none.
            if !evaluated { result.awaitingEvaluation = true }
            result.tasks.append(task)
            result.events += guardrailViolations(of: task, in: scope)
            if let rating = rating(of: task, in: scope) { result.events.append(.feedback(rating)) }
        }
        if result.tasks.isEmpty, result.events.isEmpty { result.unusable = .noVersion }
        return result
    }

    /// The task `span` belongs to, in a trace of `spans`: the task whose span is above it, else the trace's
    /// first task; `nil` when the trace has none.
    package func task(containing span: OTLPSpan, in spans: [OTLPSpan]) -> TaskEvent? {
        let trace = TraceTree(spans)
        let taskSpans = trace.outermost { isTaskSpan($0, in: trace) }
        let above = trace.index(of: span.spanId).map { Set(trace.ancestors(of: $0)) } ?? []
        guard let root = taskSpans.first(where: above.contains) ?? taskSpans.first else { return nil }
        return task(in: TaskScope(root, in: trace))?.task
    }

    /// For every span of a complete trace, the span id of the task it belongs to, as
    /// ``task(containing:in:)`` finds it for one span (a task span belongs to itself); empty when the trace has
    /// no task. What the intake remembers of a trace, so that a span arriving after the trace was built finds
    /// its task without the trace's spans.
    package func owners(spans: [OTLPSpan]) -> [String: String] {
        let trace = TraceTree(spans)
        let taskSpans = trace.outermost { isTaskSpan($0, in: trace) }
        guard let first = taskSpans.first else { return [:] }
        let isTask = Set(taskSpans)
        var owners: [String: String] = [:]
        owners.reserveCapacity(trace.spans.count)
        for index in trace.spans.indices {
            let owner =
                isTask.contains(index) ? index : trace.ancestors(of: index).first(where: isTask.contains) ?? first
            owners[trace.spans[index].spanId] = trace.spans[owner].spanId
        }
        return owners
    }

    /// Whether span `index` can be a task: the policy's task span, else an agent or workflow span, or an
    /// OpenInference `CHAIN` with no OpenInference span above it (LangGraph's outermost span, under whatever
    /// span the application opened).
    func isTaskSpan(_ index: Int, in trace: TraceTree) -> Bool {
        if let name = options.taskSpan { return trace.spans[index].name == name }
        switch trace.roles[index] {
        case .agent: return true
        case .chain:
            return !trace.ancestors(of: index).contains {
                trace.spans[$0].attributes["openinference.span.kind"] != nil
            }
        case .tool, .inference, .guardrail, .other: return false
        }
    }

    /// Whether `span` could be a task span of its trace, judged alone (the policy's task span, an agent,
    /// workflow or OpenInference `CHAIN` span).
    package func mayBeTaskSpan(_ span: OTLPSpan) -> Bool {
        if let name = options.taskSpan { return span.name == name }
        return span.role == .agent || span.role == .chain
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

    /// The task of `scope`'s task span, and whether the policy's success evaluation gave its outcome; `nil`
    /// when nothing names its version.
    func task(in scope: TaskScope) -> (task: TaskEvent, evaluated: Bool)? {
        let trace = scope.trace
        let root = scope.span
        func first(_ names: [String]) -> String? {
            for index in scope.related { if let value = trace.spans[index].text(names) { return value } }
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

        let inference = scope.below.filter { trace.roles[$0] == .inference }
        // Usage on the task span is the task's; else the model calls' sum (agent spans may repeat it).
        func total(_ names: [String]) -> Double? {
            if let value = root.number(names) { return value }
            let counted = inference.contains { trace.spans[$0].number(names) != nil } ? inference : scope.below
            var sum: Double?
            for index in counted {
                if let value = trace.spans[index].number(names) { sum = (sum ?? 0) + value }
            }
            return sum
        }
        let input = total(DialectNames.inputTokens)
        let output = total(DialectNames.outputTokens)
        var cost = total(DialectNames.cost)
        var fromPrices = false
        if cost == nil, let priced = pricedCost([scope.root] + scope.below, in: trace) {
            cost = priced
            fromPrices = true
        }
        let toolCalls = scope.below.filter { trace.roles[$0] == .tool }.map { index in
            let span = trace.spans[index]
            let name = toolName(span)
            let above =
                options.approvalRequired.contains(name) ? trace.ancestors(of: index).map { trace.spans[$0] } : []
            return ToolCall(name: name, authorized: authorized(span, name: name, above: above))
        }
        var (outcome, judgeScore, evaluated) = evaluation(in: scope)
        if root.failed || scope.below.contains(where: { trace.roles[$0] == .agent && trace.spans[$0].failed }) {
            outcome = .error
        }
        var task = TaskEvent(
            timestamp: root.endNanos / 1e9, eventId: "span:\(root.spanId)", version: version,
            conversationId: conversation, taskId: root.text(["gen_ai.task.id"]) ?? root.spanId,
            requestId: requestId(in: scope), outcome: outcome, costUSD: cost,
            latencyMs: max(0, root.endNanos - root.startNanos) / 1e6, inputTokens: input, outputTokens: output,
            steps: inference.isEmpty ? nil : Double(inference.count), toolCalls: toolCalls,
            category: first([options.categoryAttribute]), input: root.text(DialectNames.input),
            output: root.text(DialectNames.output))
        task.judgeScore = judgeScore
        task.traceId = root.traceId
        task.spanId = root.spanId
        task.costFromPrices = fromPrices
        return (task, evaluated)
    }

    /// The cost of the spans that used tokens, each priced by its model; `nil` when none has a price.
    func pricedCost(_ indices: [Int], in trace: TraceTree) -> Double? {
        var priced = 0.0
        var any = false
        for index in indices {
            let span = trace.spans[index]
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

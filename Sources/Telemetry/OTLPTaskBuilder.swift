import JSONLines

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

/// Why the spans of a complete trace gave no task, as a look and `monitor serve` report it.
package enum UnusableReason: String, Codable, Sendable, CaseIterable, Comparable {
    /// No span of the trace is an agent or workflow span (nor the policy's `monitor.otlp.task_span`).
    case noTaskSpan = "no_task_span"
    /// The task span names no version, and neither does the trace nor the resource.
    case noVersion = "no_version"
    /// A record the look could not read.
    case malformed
    /// Spans older than the run (they belong to an earlier release).
    case tooOld = "too_old"

    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// What to change so that such traces count, for people.
    package var advice: String {
        switch self {
        case .noTaskSpan:
            "no span is an agent or workflow span (gen_ai.operation.name invoke_agent, openinference.span.kind "
                + "AGENT, traceloop.span.kind workflow or agent): wrap the task in one, or name its span in "
                + "monitor.otlp.task_span"
        case .noVersion:
            "the task names no version: set the resource's service.version, gen_ai.agent.version, "
                + "feature_flag.result.variant or monitor.otlp.version_attribute"
        case .malformed: "the record could not be read"
        case .tooOld: "the spans ended before the run was created"
        }
    }
}

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

    /// Whether task span `span` is a shadow deployment's answer to a mirrored request: the policy's shadow
    /// attribute on its resource or a span of the task, else the resource's deployment environment `shadow`.
    func isShadow(_ span: OTLPSpan, in trace: TraceTree) -> Bool {
        guard let name = options.shadowAttribute else {
            let environment =
                span.resource["deployment.environment.name"]?.stringValue
                ?? span.resource["deployment.environment"]?.stringValue
            return environment == "shadow"
        }
        for value in ([span.resource[name]] + ([span] + trace.descendants(of: span)).map { $0.attributes[name] }) {
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
    func requestId(of root: OTLPSpan, related: [OTLPSpan]) -> String {
        let names =
            (options.requestAttribute.map { [$0] } ?? []) + [
                "agent_canary.request.id", "http.request.header.x-request-id",
            ]
        for name in names {
            for span in related {
                switch span.attributes[name] {
                case .string(let text)? where !text.isEmpty: return text
                case .array(let values)?: if let text = values.first?.stringValue, !text.isEmpty { return text }
                default: continue
                }
            }
        }
        return root.traceId
    }

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

/// The spans of one trace as a tree (by parent span id).
struct TraceTree {
    let spans: [OTLPSpan]
    private let indexById: [String: Int]
    private let children: [String: [Int]]

    /// The tree of `spans`; an annotation's event (a log record's, ``OTLPLogRecords``) becomes an event of the
    /// span it names, or of the spans that open the trace when it names none that arrived.
    init(_ spans: [OTLPSpan]) {
        var ordered = spans.filter { !$0.isAnnotation }.sorted {
            ($0.startNanos, $0.spanId) < ($1.startNanos, $1.spanId)
        }
        let annotations = spans.filter(\.isAnnotation).sorted {
            ($0.startNanos, $0.spanId) < ($1.startNanos, $1.spanId)
        }
        if !annotations.isEmpty {
            var position: [String: Int] = [:]
            for (index, span) in ordered.enumerated() { position[span.spanId] = index }
            let openers = ordered.indices.filter { ordered[$0].opensTrace }
            for annotation in annotations {
                let targets = position[annotation.parentSpanId].map { [$0] } ?? openers
                for target in targets { ordered[target].events += annotation.events }
            }
        }
        self.spans = ordered
        var indexById: [String: Int] = [:]
        var children: [String: [Int]] = [:]
        for (index, span) in ordered.enumerated() {
            indexById[span.spanId] = index
            if !span.parentSpanId.isEmpty { children[span.parentSpanId, default: []].append(index) }
        }
        self.indexById = indexById
        self.children = children
    }

    /// The spans matching `isMatch` with no matching ancestor, in start order.
    func outermost(where isMatch: (OTLPSpan) -> Bool) -> [OTLPSpan] {
        spans.filter { span in isMatch(span) && !ancestors(of: span).contains(where: isMatch) }
    }

    /// The spans below `span` in this process, in start order: a span whose parent is remote opens another
    /// process's part of the trace (a mirrored request, a called service) and is not below it.
    func descendants(of span: OTLPSpan) -> [OTLPSpan] {
        var found: [Int] = []
        var pending = children[span.spanId] ?? []
        var seen: Set<String> = [span.spanId]
        while let index = pending.popLast() {
            guard !spans[index].parentIsRemote, seen.insert(spans[index].spanId).inserted else { continue }
            found.append(index)
            pending.append(contentsOf: children[spans[index].spanId] ?? [])
        }
        return found.sorted().map { spans[$0] }
    }

    /// The spans above `span` in this process that arrived, nearest first (up to the span whose parent is
    /// remote).
    func ancestors(of span: OTLPSpan) -> [OTLPSpan] {
        var result: [OTLPSpan] = []
        var seen: Set<String> = [span.spanId]
        var current = span
        while !current.parentIsRemote, let index = indexById[current.parentSpanId],
            seen.insert(current.parentSpanId).inserted
        {
            current = spans[index]
            result.append(current)
        }
        return result
    }
}

import Foundation
import JSONLines
import RunLedger
import Telemetry
import Vocabulary

/// Turns the spans `monitor serve` receives into the events a look reads, once, inside the commit that makes the
/// trace complete: the parse-once half of the intake.
///
/// A trace is built when one of its opening spans (no parent, or a parent in another process) is at hand, from
/// its spans of the request and the spans earlier requests left pending. The spans under the opening spans are
/// then done with: their trace's events are stored as native event lines, what the trace was (which span
/// belongs to which task) is remembered in one row, and the spans themselves are not kept. Spans whose opening
/// span has not arrived wait in `intake_pending`; so does a whole trace while a task of it waits for its success
/// evaluation (a log record that may follow), until the result arrives or `evaluation_wait` has passed
/// (``sweep(_:now:)``).
///
/// A span of a trace built already is a retry (its id is remembered: counted as a duplicate) or a late span: a
/// late unauthorized tool call becomes a violation of the task it belongs to; any other late span is
/// acknowledged and not kept (a look over files would not count it either: its trace was judged).
struct IntakeAssembler: Sendable {
    let options: OTLPOptions
    /// ``OTLPOptions/fingerprint`` of ``options``, stored with every built event.
    let fingerprint: String

    init(options: OTLPOptions) {
        self.options = options
        self.fingerprint = options.fingerprint
    }

    /// Commits `batches` (one per request) in one transaction; returns what each request's commit did.
    func commit(_ batches: [IntakeBatch], in transaction: IntakeTransaction, now: Double) throws -> [IntakeOutcome] {
        var state = try State(
            traces: Array(Set(batches.flatMap { $0.traces.map(\.traceId) })), transaction: transaction)
        var outcomes = [IntakeOutcome](repeating: IntakeOutcome(), count: batches.count)
        for (index, batch) in batches.enumerated() {
            state.batch = index
            for (record, event) in zip(batch.events, batch.parsed) {
                state.writes.received.append((record, event, index))
            }
            for part in batch.traces {
                try add(part, state: &state, transaction: transaction, now: now, outcome: &outcomes[index])
            }
        }
        try flush(state, transaction, into: &outcomes)
        return outcomes
    }

    /// Builds the traces whose wait for their evaluations has ended at `now` (and any complete trace an earlier
    /// server left as spans), at most `limit` of them; returns what was stored, and whether more are ready.
    func sweep(_ transaction: IntakeTransaction, now: Double, limit: Int = 500) throws -> (IntakeOutcome, Bool) {
        let ready = try transaction.readyTraces(now: now, limit: limit)
        var outcomes = [IntakeOutcome()]
        guard !ready.isEmpty else { return (outcomes[0], false) }
        var state = try State(traces: ready, transaction: transaction)
        for trace in ready {
            let pending = state.pending[trace] ?? []
            guard let agent = pending.first(where: \.opensTrace).flatMap({ state.agents[$0.spanId] }) else { continue }
            try build(
                trace, agent: agent, spans: pending, built: nil, force: true, state: &state,
                transaction: transaction, now: now, outcome: &outcomes[0])
        }
        try flush(state, transaction, into: &outcomes)
        return (outcomes[0], ready.count == limit)
    }

    /// What a commit stores, gathered over its requests and written at its end, a statement per table (on
    /// PostgreSQL, a round trip each rather than a few per trace).
    struct Writes {
        /// Events received as they are, and those built from traces, each with its request.
        var received: [(record: IntakeRecord, event: AgentEvent, batch: Int)] = []
        var built: [(record: IntakeRecord, event: AgentEvent, batch: Int)] = []
        var pending: [PendingSpan] = []
        var completed: [CompletedTrace] = []
        /// The keys of pending spans built.
        var removing = Set<String>()
        var waits: [String: Double] = [:]
    }

    /// Writes what the commit gathered, and counts each request's new events.
    private func flush(_ state: State, _ transaction: IntakeTransaction, into outcomes: inout [IntakeOutcome]) throws {
        let writes = state.writes
        // A span that arrived and was built within this commit is neither stored nor deleted.
        _ = try transaction.storePending(writes.pending.filter { !writes.removing.contains($0.key) })
        try transaction.removePending(writes.removing.filter(state.storedKeys.contains).sorted())
        for (trace, until) in writes.waits.sorted(by: { $0.key < $1.key }) {
            try transaction.wait(trace: trace, until: until)
        }
        let received = try transaction.storeEvents(writes.received.map(\.record), builtWith: nil)
        for (entry, new) in zip(writes.received, received) {
            outcomes[entry.batch].count(new: new)
            if new { note(entry.event, agent: entry.record.agent, in: &outcomes[entry.batch]) }
        }
        let built = try transaction.storeEvents(writes.built.map(\.record), builtWith: fingerprint)
        for (entry, new) in zip(writes.built, built) where new {
            note(entry.event, agent: entry.record.agent, in: &outcomes[entry.batch])
        }
        try transaction.complete(writes.completed)
    }

    // MARK: - One trace

    /// What the commit knows of its traces: their pending spans (parsed) and the span ids of their built parts.
    struct State {
        var pending: [String: [OTLPSpan]] = [:]
        var pendingKeys = Set<String>()
        /// The agent each pending span was received for, by span id.
        var agents: [String: String] = [:]
        /// The spans of each trace already built, with the task span each belongs to.
        var owners: [String: [String: String]] = [:]
        /// The tasks of each trace already built, by their task span: (task id, version, conversation).
        var tasks: [String: [String: TraceSummary.Task]] = [:]
        /// When the trace the last ``build`` left waiting stops waiting for its evaluations.
        var waitUntil: Double?
        /// The keys of the pending rows the ledger held when the commit began, and the row each span came from
        /// (by the span's key: a row an earlier server stored may name it otherwise).
        var storedKeys = Set<String>()
        var rows: [String: String] = [:]
        /// The request being added, and what the commit will write.
        var batch = 0
        var writes = Writes()

        init(traces: [String], transaction: IntakeTransaction) throws {
            guard !traces.isEmpty else { return }
            for stored in try transaction.pendingSpans(ofTraces: traces) {
                storedKeys.insert(stored.key)
                var body = stored.body
                // A pending span was parsed when it arrived; one that no longer parses is dropped.
                guard let spans = try? body.withUTF8({ try OTLPTraceParser(file: "intake").spans($0, line: 1) })
                else { continue }
                for span in spans {
                    agents[span.spanId] = stored.agent
                    rows[IntakeAssembler.key(of: span)] = stored.key
                    pendingKeys.insert(IntakeAssembler.key(of: span))
                }
                pending[stored.traceId, default: []].append(contentsOf: spans)
            }
            for trace in try transaction.completedTraces(traces) {
                guard let summary = TraceSummary(text: trace.summary) else { continue }
                owners[trace.traceId, default: [:]].merge(summary.owners) { first, _ in first }
                tasks[trace.traceId, default: [:]].merge(summary.tasks) { first, _ in first }
            }
        }
    }

    private func add(
        _ part: IntakeBatch.TracePart, state: inout State, transaction: IntakeTransaction, now: Double,
        outcome: inout IntakeOutcome
    ) throws {
        let trace = part.traceId
        let built = state.owners[trace] ?? [:]
        // Retries of spans stored or built already count as duplicates; the others are new.
        var new: [OTLPSpan] = []
        for span in part.spans {
            if built[span.spanId] != nil || state.pendingKeys.contains(Self.key(of: span)) {
                outcome.duplicates += 1
            } else {
                new.append(span)
                outcome.accepted += 1
            }
        }
        // A span below a part of the trace built already is late; the others wait for, or are, an opening span.
        let isLate = { (span: OTLPSpan) in !span.opensTrace && built[span.parentSpanId] != nil }
        let late = new.filter(isLate)
        if !late.isEmpty {
            new.removeAll(where: isLate)
            self.late(late, trace: trace, agent: part.agent, state: &state)
        }
        let earlier = state.pending[trace] ?? []
        let opens = new.contains(where: \.opensTrace) || earlier.contains(where: \.opensTrace)
        // Encoded only for spans that wait.
        var pending: [PendingSpan] {
            new.map { span in
                PendingSpan(
                    key: Self.key(of: span), agent: part.agent, traceId: trace, isRoot: span.opensTrace,
                    timestamp: span.endNanos / 1e9, body: span.isAnnotation ? span.logsDataLine : span.tracesDataLine)
            }
        }
        guard opens else {
            remember(new, pending, state: &state)
            return
        }
        // The request's own tasks serve when it brought the whole trace.
        let reuse = earlier.isEmpty && new.count == part.spans.count ? part.built : nil
        let done = try build(
            trace, agent: part.agent, spans: earlier + new, built: reuse, force: false, state: &state,
            transaction: transaction, now: now, outcome: &outcome)
        if !done {
            remember(new, pending, state: &state)
            if let until = state.waitUntil { state.writes.waits[trace] = until }
        }
    }

    private func remember(_ spans: [OTLPSpan], _ pending: [PendingSpan], state: inout State) {
        state.writes.pending += pending
        for (span, stored) in zip(spans, pending) {
            state.pending[span.traceId, default: []].append(span)
            state.pendingKeys.insert(stored.key)
            state.agents[span.spanId] = stored.agent
        }
    }

    /// Builds a trace from `spans`; returns `false` (storing nothing) when its tasks wait for their evaluations.
    @discardableResult
    private func build(
        _ trace: String, agent: String, spans: [OTLPSpan], built: BuiltTrace?, force: Bool, state: inout State,
        transaction: IntakeTransaction, now: Double, outcome: inout IntakeOutcome
    ) throws -> Bool {
        state.waitUntil = nil
        let prepared: BuiltTrace
        if let built {
            prepared = built
        } else {
            do throws(TelemetryError) {
                let tasks = try OTLPTaskBuilder(options: options).checkedTasks(
                    spans: spans, file: "trace \(trace)", line: 1)
                prepared = prepare(trace, agent: agent, spans: spans, tasks: tasks)
            } catch {
                outcome.invalid.append(error)
                let empty = TraceTasks(tasks: [], unusable: nil)
                try finish(
                    prepare(trace, agent: agent, spans: spans, tasks: empty), trace: trace, agent: agent,
                    state: &state, transaction: transaction, outcome: &outcome)
                return true
            }
        }
        let tasks = prepared.tasks
        if !force, tasks.awaitingEvaluation, now < tasks.endedAt + options.evaluationWait {
            state.waitUntil = tasks.endedAt + options.evaluationWait
            return false
        }
        if let reason = tasks.unusable {
            outcome.unusable.append((trace, agent, reason, spans.filter { !$0.isAnnotation }.count))
        }
        try finish(prepared, trace: trace, agent: agent, state: &state, transaction: transaction, outcome: &outcome)
        return true
    }

    /// A trace's events, summary and spans done with, ready to store: made on the request's own thread for a
    /// trace a request brings whole, so that the commit only stores it.
    struct BuiltTrace: Sendable {
        var tasks: TraceTasks
        var records: [IntakeRecord]
        var summary: TraceSummary
        /// The opening spans of the part built (``CompletedTrace/part``).
        var part: String
        /// The keys of the spans done with, and the spans that keep waiting.
        var done: [String]
        var waiting: [OTLPSpan]
    }

    /// Prepares a built trace: its events as native event lines, and the summary of the spans under its opening
    /// spans (the others, below an opening span still to come in another process's part of the trace, keep
    /// waiting).
    func prepare(_ trace: String, agent: String, spans: [OTLPSpan], tasks: TraceTasks) -> BuiltTrace {
        let records = tasks.all.map { Self.record($0, trace: trace, agent: agent) }
        let (done, waiting) = Self.partition(spans)
        var summary = TraceSummary()
        summary.owners = OTLPTaskBuilder(options: options).owners(spans: done)
        for task in tasks.tasks {
            guard let span = task.spanId else { continue }
            summary.tasks[span] = .init(taskId: task.taskId, version: task.version, conversationId: task.conversationId)
        }
        // Spans that belong to no task still count as received: remember them all.
        for span in done where summary.owners[span.spanId] == nil { summary.owners[span.spanId] = "" }
        return BuiltTrace(
            tasks: tasks, records: records, summary: summary,
            part: done.filter(\.opensTrace).map(\.spanId).sorted().joined(separator: ","),
            done: done.map(Self.key(of:)), waiting: waiting)
    }

    /// Stores a built trace's events and its summary, and forgets the spans it was built from.
    private func finish(
        _ built: BuiltTrace, trace: String, agent: String, state: inout State, transaction: IntakeTransaction,
        outcome: inout IntakeOutcome
    ) throws {
        for (record, event) in zip(built.records, built.tasks.all) {
            state.writes.built.append((record, event, state.batch))
        }
        state.writes.completed.append(
            CompletedTrace(traceId: trace, part: built.part, agent: agent, summary: built.summary.text))
        state.writes.removing.formUnion(built.done.filter(state.pendingKeys.contains).map { state.rows[$0] ?? $0 })
        state.pending[trace] = built.waiting.isEmpty ? nil : built.waiting
        state.owners[trace, default: [:]].merge(built.summary.owners) { first, _ in first }
        state.tasks[trace, default: [:]].merge(built.summary.tasks) { first, _ in first }
    }

    /// The spans under a trace's opening spans (with the evaluation results for them, or for spans that never
    /// arrived), and the others.
    static func partition(_ spans: [OTLPSpan]) -> (done: [OTLPSpan], waiting: [OTLPSpan]) {
        let parents = Dictionary(
            spans.lazy.filter { !$0.isAnnotation }.map { ($0.spanId, $0) }, uniquingKeysWith: { first, _ in first })
        var under: [String: Bool] = [:]
        func isUnder(_ span: OTLPSpan, depth: Int = 0) -> Bool {
            if span.opensTrace { return true }
            if let known = under[span.spanId] { return known }
            guard depth < spans.count, let parent = parents[span.parentSpanId] else { return false }
            let result = isUnder(parent, depth: depth + 1)
            under[span.spanId] = result
            return result
        }
        var done: [OTLPSpan] = []
        var waiting: [OTLPSpan] = []
        for span in spans {
            let belongs =
                span.isAnnotation ? parents[span.parentSpanId].map { isUnder($0) } ?? true : isUnder(span)
            if belongs { done.append(span) } else { waiting.append(span) }
        }
        return (done, waiting)
    }

    /// Spans of a trace built already: an unauthorized tool call is a violation of the task it belongs to.
    private func late(_ spans: [OTLPSpan], trace: String, agent: String, state: inout State) {
        let builder = OTLPTaskBuilder(options: options)
        let owners = state.owners[trace] ?? [:]
        let tasks = state.tasks[trace] ?? [:]
        for span in spans {
            guard let action = builder.unauthorizedTool(span) else { continue }
            // The task of the span above it, else the trace's first task.
            let owner = owners[span.parentSpanId].flatMap { $0.isEmpty ? nil : $0 }
            guard let task = owner.flatMap({ tasks[$0] }) ?? tasks.values.min(by: { $0.taskId < $1.taskId }) else {
                continue
            }
            let event = AgentEvent.violation(
                ViolationEvent(
                    timestamp: span.endNanos / 1e9, eventId: "span:\(span.spanId)", version: task.version,
                    taskId: task.taskId, conversationId: task.conversationId, action: action, severity: .high,
                    policy: "unauthorized tool call after the task's root"))
            state.writes.built.append((Self.record(event, trace: trace, agent: agent), event, state.batch))
        }
    }

    /// A built event as the intake stores it.
    static func record(_ event: AgentEvent, trace: String, agent: String) -> IntakeRecord {
        IntakeRecord(
            key: "trace:\(trace):\(event.eventId)", agent: agent, traceId: trace, timestamp: event.timestamp,
            body: String(decoding: event.nativeLine, as: UTF8.self))
    }

    private func note(_ event: AgentEvent, agent: String, in outcome: inout IntakeOutcome) {
        switch event {
        case .task, .violation: outcome.facts.append(.init(agent: agent, event: event))
        case .feedback, .shadow: break
        }
    }

    static func key(of span: OTLPSpan) -> String {
        "\(span.isAnnotation ? "log" : "span"):\(span.traceId):\(span.spanId)"
    }
}

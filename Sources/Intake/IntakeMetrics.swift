import Foundation
import Prometheus
import Synchronization
import Telemetry
import Vocabulary

/// What `GET /metrics` serves: the fleet's tasks as they are committed, per agent and version, and the service's
/// own requests, records, bytes, commits and queue (Prometheus text, through swift-prometheus).
///
/// A task counts once, when its event is first stored: a native task event as it arrives, a trace's task when
/// the trace is built (``IntakeAssembler``); a late unauthorized tool call counts for its task's version when it
/// arrives. The looks read the same events.
final class IntakeMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let queueDepth: Gauge
    let heldBytes: Gauge
    let commitDuration: DurationHistogram

    init() {
        queueDepth = registry.makeGauge(
            descriptor: Self.name(
                "intake_queue", unit: "records", help: "Records received and waiting for their ledger commit."))
        heldBytes = registry.makeGauge(
            descriptor: Self.name(
                "intake_held", unit: "bytes",
                help: "Bytes held for requests in flight (bodies, decompressed, decoded records until committed)."))
        commitDuration = registry.makeDurationHistogram(
            descriptor: Self.name(
                "intake_commit_duration", unit: "seconds", help: "The time of one ledger commit (a group of requests)."),
            labels: [],
            buckets: [
                .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
            ])
    }

    static func name(_ metric: String, unit: String = "", help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "agent_canary", metricName: metric, unitName: unit, helpText: help)
    }

    /// One request answered.
    func request(endpoint: String, status: Int, bytes: Int) {
        registry.makeCounter(
            descriptor: Self.name("intake_requests", unit: "total", help: "Requests answered, by endpoint and status."),
            labels: [("endpoint", endpoint), ("code", String(status))]
        ).increment()
        registry.makeCounter(
            descriptor: Self.name("intake_received", unit: "bytes_total", help: "Request bytes received, as sent."),
            labels: [("endpoint", endpoint)]
        ).increment(by: Int64(bytes))
    }

    /// Records of `kind` (`spans`, `events`, `logs`) accepted, counted again as duplicates, rejected by reason,
    /// or dropped (log records that carry no outcome signal).
    func records(_ kind: String, accepted: Int, duplicates: Int, rejected: [String: Int], dropped: Int = 0) {
        let descriptor = Self.name(
            "intake_\(kind)", unit: "total",
            help: "Intake \(kind) by result (accepted, duplicate, rejected, dropped) and reason.")
        if dropped > 0 {
            registry.makeCounter(descriptor: descriptor, labels: [("result", "dropped"), ("reason", "not_used")])
                .increment(by: Int64(dropped))
        }
        if accepted > 0 {
            registry.makeCounter(descriptor: descriptor, labels: [("result", "accepted"), ("reason", "")])
                .increment(by: Int64(accepted))
        }
        if duplicates > 0 {
            registry.makeCounter(descriptor: descriptor, labels: [("result", "duplicate"), ("reason", "")])
                .increment(by: Int64(duplicates))
        }
        for (reason, count) in rejected.sorted(by: { $0.key < $1.key }) {
            registry.makeCounter(descriptor: descriptor, labels: [("result", "rejected"), ("reason", reason)])
                .increment(by: Int64(count))
        }
    }

    /// Complete traces of `agent` that gave no task, and their spans, for `reason`.
    func unusable(agent: String, reason: UnusableReason, traces: Int, spans: Int) {
        let labels = [("agent", agent), ("reason", reason.rawValue)]
        registry.makeCounter(
            descriptor: Self.name(
                "intake_unusable_traces", unit: "total",
                help: "Complete traces that gave no task, by agent and reason (no_task_span, no_version)."),
            labels: labels
        ).increment(by: Int64(traces))
        registry.makeCounter(
            descriptor: Self.name(
                "intake_unusable_spans", unit: "total", help: "Spans of the complete traces that gave no task."),
            labels: labels
        ).increment(by: Int64(spans))
    }

    /// The live series of one agent and version.
    struct Live: Sendable {
        let tasks: Counter
        let successes: Counter
        let errors: Counter
        let rogue: Counter
        let cost: Counter
        let latency: ValueHistogram
    }

    /// The series made so far (the registry's own lookup costs a request a tenth of its time).
    private let live = Mutex<[String: Live]>([:])

    func live(agent: String, version: String) -> Live {
        let key = "\(agent)\u{0}\(version)"
        return live.withLock { live in
            if let series = live[key] { return series }
            let series = makeLive(agent: agent, version: version)
            live[key] = series
            return series
        }
    }

    private func makeLive(agent: String, version: String) -> Live {
        let labels = [("agent", agent), ("version", version)]
        func counter(_ metric: String, unit: String = "total", _ help: String) -> Counter {
            registry.makeCounter(descriptor: Self.name(metric, unit: unit, help: help), labels: labels)
        }
        let series = Live(
            tasks: counter("live_tasks", "Tasks committed, per agent and version."),
            successes: counter("live_task_successes", "Tasks that succeeded."),
            errors: counter("live_task_errors", "Tasks that ended in an error."),
            rogue: counter("live_rogue_actions", "Unauthorized tool calls and violations."),
            cost: counter("live_cost", unit: "usd_total", "Cost of the tasks committed (USD)."),
            latency: registry.makeValueHistogram(
                descriptor: Self.name("live_task_latency", unit: "seconds", help: "Task latency."), labels: labels,
                buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]))
        return series
    }

    /// A task or violation committed for the first time.
    func fact(_ event: AgentEvent, agent: String) {
        let series = live(agent: agent, version: event.version)
        switch event {
        case .task(let task):
            series.tasks.increment()
            if task.outcome == .success { series.successes.increment() }
            if task.outcome == .error { series.errors.increment() }
            let rogue = task.toolCalls.filter { $0.authorized == false }.count
            if rogue > 0 { series.rogue.increment(by: Int64(rogue)) }
            if let cost = task.costUSD, cost.isFinite, cost >= 0 { series.cost.increment(by: cost) }
            if let latency = task.latencyMs, latency.isFinite, latency >= 0 { series.latency.record(latency / 1000) }
        case .violation:
            series.rogue.increment()
        case .feedback, .shadow:
            break
        }
    }

    /// Unauthorized tool calls of a task counted after the task (its spans came in several requests).
    func rogue(agent: String, version: String, count: Int) {
        live(agent: agent, version: version).rogue.increment(by: Int64(count))
    }

    /// The exposition text.
    func text() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}

/// Why the spans of a complete trace gave no task, as a look and `monitor serve` report it. (A record that
/// cannot be read is not a trace that gave no task: it fails the look, or is counted in
/// `skipped_malformed_lines` under `monitor.malformed: skip`, and `monitor serve` refuses it.)
package enum UnusableReason: String, Codable, Sendable, CaseIterable, Comparable {
    /// No span of the trace is an agent or workflow span (nor the policy's `monitor.otlp.task_span`).
    case noTaskSpan = "no_task_span"
    /// The task span names no version, and neither does the trace nor the resource.
    case noVersion = "no_version"

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
        }
    }
}

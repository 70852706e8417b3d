import Artifacts
import Foundation

/// Failures of a gate comparison that are the input's fault.
package enum GateError: Error, Equatable, CustomStringConvertible {
    /// No task has results on both sides.
    case noMatchedTasks(candidate: String, baseline: String)
    /// Too many tasks are present on one side only.
    case tooManyUnmatched(share: Double, limit: Double, examples: [String])
    /// A version could not be determined.
    case missingVersion(side: String)
    /// `--baseline-from-ledger` found nothing to compare with.
    case noRecordedBaseline(agent: String)
    /// The agent has no name.
    case missingAgent

    package var description: String {
        switch self {
        case .noMatchedTasks(let candidate, let baseline):
            "\(candidate) and \(baseline) have no task in common (field 'task_id'); are they results of the same suite?"
        case .tooManyUnmatched(let share, let limit, let examples):
            "\(percent(share)) of the tasks are present on one side only (field 'task_id', for example "
                + "\(examples.prefix(5).joined(separator: ", "))); the policy allows \(percent(limit)) "
                + "(gate.max_unmatched_share)"
        case .missingVersion(let side):
            "the \(side) version is unknown; pass --\(side)-version, or put a 'version' field in the results"
        case .noRecordedBaseline(let agent):
            "the ledger holds no promoted or passing version of \(agent) to use as the baseline; pass --baseline"
        case .missingAgent:
            "the agent has no name; pass --agent or set agent.name in the policy"
        }
    }

    private func percent(_ value: Double) -> String {
        String(format: "%.1f %%", value * 100)
    }
}

extension GateError: ExitStatusProviding {
    package var exitStatus: ExitStatus {
        switch self {
        case .noMatchedTasks, .tooManyUnmatched: .dataError
        case .missingVersion, .missingAgent: .usage
        case .noRecordedBaseline: .noInput
        }
    }
}

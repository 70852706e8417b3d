import Foundation
import ToolContract

/// Failures of a gate comparison that are the input's fault.
package enum GateError: Error, Equatable, CustomStringConvertible {
    /// No task has results on both sides.
    case noMatchedTasks(candidate: String, baseline: String)
    /// Too many tasks are present on one side only.
    case tooManyUnmatched(share: Double, limit: Double, examples: [String])
    /// `--baseline-from-ledger` found nothing to compare with.
    case noRecordedBaseline(agent: String)
    /// The gate does not know what it compares: the agent's name, a version, or several of them.
    case unidentified(missing: [GateSubject])
    /// A version is outside the grammar of versions (it would reach rendered routing configuration).
    case invalidVersion(side: String, value: String, source: String)

    package var description: String {
        switch self {
        case .noMatchedTasks(let candidate, let baseline):
            "\(candidate) and \(baseline) have no task in common (field 'task_id'); are they results of the same suite?"
        case .tooManyUnmatched(let share, let limit, let examples):
            "\(percent(share)) of the tasks are present on one side only (field 'task_id', for example "
                + "\(examples.prefix(5).joined(separator: ", "))); the policy allows \(percent(limit)) "
                + "(gate.max_unmatched_share)"
        case .noRecordedBaseline(let agent):
            "the ledger holds no promoted or passing version of \(agent) to use as the baseline; pass --baseline"
        case .invalidVersion(let side, let value, let source):
            "\(source): the \(side) version '\(value.prefix(80))' is not a version "
                + "(\(ConfigValue.version.rule))"
        case .unidentified(let missing):
            "the gate does not know \(Self.list(missing.map(\.what))); pass \(Self.list(missing.map(\.remedy)))"
        }
    }

    private static func list(_ items: [String]) -> String {
        items.count < 2 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + (items.last ?? "")
    }

    private func percent(_ value: Double) -> String {
        String(format: "%.1f %%", value * 100)
    }
}

extension GateError: ExitStatusProviding {
    package var exitStatus: ExitStatus {
        switch self {
        case .noMatchedTasks, .tooManyUnmatched, .invalidVersion: .dataError
        case .unidentified: .usage
        case .noRecordedBaseline: .noInput
        }
    }
}

/// What a gate must know about the releases it compares.
package enum GateSubject: String, Sendable, Equatable {
    /// The agent's name, under which the ledger keeps its history.
    case agent
    /// The candidate's version.
    case candidateVersion
    /// The baseline's version.
    case baselineVersion

    var what: String {
        switch self {
        case .agent: "the agent's name"
        case .candidateVersion: "the candidate's version"
        case .baselineVersion: "the baseline's version"
        }
    }

    var remedy: String {
        switch self {
        case .agent: "--agent NAME (or agent.name in the policy)"
        case .candidateVersion: "--candidate-version V (or a 'version' field in the candidate's results)"
        case .baselineVersion:
            "--baseline-version V (or a 'version' field in the baseline's results, or agent.baseline_version in the policy)"
        }
    }
}

import ToolContract

/// Failures of rollout commands.
package enum RolloutError: Error, Equatable, CustomStringConvertible {
    /// The transition is not possible from the rollout's state (exit 64).
    case impossibleTransition(command: String, phase: String, reason: String)
    /// No passing gate with this artifact's SHA-256 is recorded (exit 1: the release must not go on).
    case gateNotPassed(path: String, reason: String)
    /// The analysis file is not a recorded monitor decision that allows the command (exit 1).
    case decisionRefused(path: String, reason: String)
    /// There is no rollout to act on (exit 66).
    case noRollout(runId: String?)
    /// The `--apply` command failed (exit 69); the ledger records the transition as not applied.
    case applyFailed(command: String, status: Int32, stderr: String)
    /// The policy's rollout section is unusable (exit 65).
    case invalidPolicy(path: String, reason: String)
    /// A gate or analysis file is not what it should be (exit 65).
    case invalidInput(path: String, field: String, reason: String)
    /// The gate judged another agent than the policy names (exit 64).
    case otherAgent(path: String, gateAgent: String, policyAgent: String)

    package var description: String {
        switch self {
        case .impossibleTransition(let command, let phase, let reason):
            "cannot \(command) a rollout that is \(phase): \(reason)"
        case .gateNotPassed(let path, let reason):
            "\(path): \(reason); a canary may start only after a recorded passing gate (or --force --reason)"
        case .decisionRefused(let path, let reason):
            "\(path): \(reason)"
        case .noRollout(let runId):
            runId.map { "run \($0) has no rollout; start one with canary-deploy start" }
                ?? "the ledger holds no rollout; start one with canary-deploy start"
        case .applyFailed(let command, let status, let stderr):
            "--apply '\(command)' exited with \(status)\(stderr.isEmpty ? "" : ": \(stderr)"); the transition is "
                + "recorded as not applied, run the same command again to retry"
        case .invalidPolicy(let path, let reason):
            "\(path): \(reason)"
        case .invalidInput(let path, let field, let reason):
            "\(path): field '\(field)': \(reason)"
        case .otherAgent(let path, let gateAgent, let policyAgent):
            "\(path): the gate judged \(gateAgent), but the policy is \(policyAgent)'s (agent.name); "
                + "pass the policy of \(gateAgent), or gate \(policyAgent)"
        }
    }
}

extension RolloutError: ExitStatusProviding {
    package var exitStatus: ExitStatus {
        switch self {
        case .impossibleTransition, .otherAgent: .usage
        case .gateNotPassed, .decisionRefused: .stop
        case .noRollout: .noInput
        case .applyFailed: .unavailable
        case .invalidPolicy, .invalidInput: .dataError
        }
    }
}

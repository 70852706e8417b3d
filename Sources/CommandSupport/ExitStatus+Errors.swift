import ToolContract

extension ExitStatus {
    /// The status a failure maps to: its own, when its module declares one, else an internal error.
    package static func of(_ error: any Error) -> ExitStatus {
        (error as? any ExitStatusProviding)?.exitStatus ?? .software
    }
}

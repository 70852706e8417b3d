import ToolContract

/// Why `monitor serve` could not start.
package enum IntakeSetupError: Error, CustomStringConvertible, Equatable {
    case tokenFile(path: String, reason: String)
    case listen(address: String, reason: String)

    package var description: String {
        switch self {
        case .tokenFile(let path, let reason): "--token-file \(path): \(reason)"
        case .listen(let address, let reason): "--listen \(address): \(reason)"
        }
    }
}

extension IntakeSetupError: ExitStatusProviding {
    package var exitStatus: ExitStatus {
        switch self {
        case .tokenFile: .noInput
        case .listen: .unavailable
        }
    }
}

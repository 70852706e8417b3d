/// Failures reading or writing artifacts.
package enum ArtifactError: Error, Equatable, CustomStringConvertible {
    /// An input file does not exist.
    case missingFile(path: String)
    /// An input file exists but cannot be read.
    case unreadable(path: String, reason: String)
    /// An output file cannot be written.
    case cannotWrite(path: String, reason: String)
    /// An artifact is not what its schema says.
    case invalidArtifact(path: String, field: String, reason: String)

    package var description: String {
        switch self {
        case .missingFile(let path):
            "\(path): no such file"
        case .unreadable(let path, let reason):
            "\(path): cannot be read: \(reason)"
        case .cannotWrite(let path, let reason):
            "\(path): cannot be written: \(reason)"
        case .invalidArtifact(let path, let field, let reason):
            "\(path): field '\(field)': \(reason)"
        }
    }
}

extension ArtifactError: ExitStatusProviding {
    package var exitStatus: ExitStatus {
        switch self {
        case .missingFile, .unreadable: .noInput
        case .invalidArtifact: .dataError
        case .cannotWrite: .software
        }
    }
}

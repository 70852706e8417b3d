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
    /// An input read whole is larger than the tools read (a device such as `/dev/zero`, or the wrong file).
    case tooLarge(path: String, limit: Int)

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
        case .tooLarge(let path, let limit):
            "\(path): larger than \(limit >> 20) MiB, the most an input read whole may hold; is it the right file?"
        }
    }
}

extension ArtifactError: ExitStatusProviding {
    package var exitStatus: ExitStatus {
        switch self {
        case .missingFile, .unreadable: .noInput
        case .invalidArtifact, .tooLarge: .dataError
        case .cannotWrite: .software
        }
    }
}

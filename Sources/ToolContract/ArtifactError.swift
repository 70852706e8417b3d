import Foundation

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
    /// An input that must be JSON starts with a byte no JSON text starts with (read no further).
    case notJSON(path: String, offset: Int, byte: UInt8)

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
        case .notJSON(let path, let offset, let byte):
            "\(path):1: not JSON: byte \(offset + 1) is \(String(format: "0x%02X", byte)), and a JSON text starts with "
                + "'{' or '['; is it the right file?"
        }
    }
}

extension ArtifactError: ExitStatusProviding {
    package var exitStatus: ExitStatus {
        switch self {
        case .missingFile, .unreadable: .noInput
        case .invalidArtifact, .tooLarge, .notJSON: .dataError
        case .cannotWrite: .software
        }
    }
}

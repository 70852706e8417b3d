import ToolContract

/// Failures of an export.
package enum ExportError: Error, Equatable, CustomStringConvertible {
    case notFound(String)
    /// `--out-dir` names something this tool may not replace: a file, or a directory that holds other files
    /// than a dataset it wrote (or the ledger).
    case notReplaceable(path: String, reason: String)

    package var description: String {
        switch self {
        case .notFound(let text): text
        case .notReplaceable(let path, let reason):
            "--out-dir \(path): \(reason); only a missing or empty directory, or a dataset feedback-export wrote "
                + "(its manifest.json), is replaced: name another directory"
        }
    }
}

extension ExportError: ExitStatusProviding {
    package var exitStatus: ExitStatus {
        switch self {
        case .notFound: .noInput
        case .notReplaceable: .usage
        }
    }
}

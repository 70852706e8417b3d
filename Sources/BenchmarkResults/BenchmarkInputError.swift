import ToolContract

/// Failures reading benchmark results.
package enum BenchmarkInputError: Error, Equatable, CustomStringConvertible {
    /// The file does not exist.
    case missingFile(path: String)
    /// The file cannot be read.
    case unreadable(path: String, reason: String)
    /// The file holds no rows.
    case empty(path: String)
    /// The file is neither native results nor an Inspect AI log.
    case unknownFormat(path: String, reason: String)
    /// A row or field is wrong; `line` is 1-based, `field` is a dotted path (empty for a syntax error
    /// that no field can be blamed for).
    case malformed(file: String, line: Int, field: String, reason: String)
    /// The same (task, trial) appears twice.
    case duplicateAttempt(file: String, line: Int, taskId: String, trial: Int, firstLine: Int)
    /// An Inspect AI log has several scorers and the policy names none of them.
    case ambiguousScorer(file: String, scorers: [String])

    package var description: String {
        switch self {
        case .missingFile(let path):
            "\(path): no such file"
        case .unreadable(let path, let reason):
            "\(path): cannot be read: \(reason)"
        case .empty(let path):
            "\(path): the file is empty; expected benchmark results"
        case .unknownFormat(let path, let reason):
            "\(path): unknown format: \(reason); expected native benchmark results (JSONL or a JSON array) "
                + "or an Inspect AI log in JSON (inspect log convert --to json)"
        case .malformed(let file, let line, let field, let reason):
            field.isEmpty ? "\(file):\(line): \(reason)" : "\(file):\(line): field '\(field)': \(reason)"
        case .duplicateAttempt(let file, let line, let taskId, let trial, let firstLine):
            "\(file):\(line): field 'trial': task '\(taskId)' trial \(trial) already appeared on line \(firstLine)"
        case .ambiguousScorer(let file, let scorers):
            "\(file): the log has several scorers (\(scorers.joined(separator: ", "))); "
                + "name the one that decides success in the policy's gate.inspect_scorer"
        }
    }
}

extension BenchmarkInputError: ExitStatusProviding {
    package var exitStatus: ExitStatus {
        switch self {
        case .missingFile, .unreadable: .noInput
        default: .dataError
        }
    }
}

import ToolContract

/// Failures reading a release policy.
package enum PolicyError: Error, Equatable, CustomStringConvertible {
    /// The policy file does not exist.
    case missingFile(path: String)
    /// The file is not valid YAML or JSON.
    case syntax(file: String, line: Int, reason: String)
    /// A field has a wrong type or value.
    case invalidField(file: String, line: Int, field: String, reason: String)
    /// A field the policy schema does not define (often a typo).
    case unknownField(file: String, line: Int, field: String, allowed: [String])
    /// A required field is absent.
    case missingField(file: String, field: String)
    /// A flag that overrides a policy value has a value the policy would refuse (exit 64).
    case invalidFlag(flag: String, value: String, reason: String)

    package var description: String {
        switch self {
        case .missingFile(let path):
            "\(path): no such policy file"
        case .syntax(let file, let line, let reason):
            "\(file):\(line): not valid YAML or JSON: \(reason)"
        case .invalidField(let file, let line, let field, let reason):
            "\(file):\(line): field '\(field)': \(reason)"
        case .unknownField(let file, let line, let field, let allowed):
            "\(file):\(line): field '\(field)' is not part of the release policy; expected one of: "
                + allowed.joined(separator: ", ")
        case .missingField(let file, let field):
            "\(file): required field '\(field)' is missing"
        case .invalidFlag(let flag, let value, let reason):
            "\(flag) '\(value)': \(reason)"
        }
    }
}

extension PolicyError: ExitStatusProviding {
    package var exitStatus: ExitStatus {
        if case .missingFile = self { return .noInput }
        if case .invalidFlag = self { return .usage }
        return .dataError
    }
}

import ToolContract

/// Failures reading telemetry.
package enum TelemetryError: Error, Equatable, CustomStringConvertible {
    /// A line or field is wrong; `field` is a dotted path, empty for a syntax error no field can be blamed for.
    case malformedEvent(file: String, line: Int, field: String, reason: String)

    package var description: String {
        switch self {
        case .malformedEvent(let file, let line, let field, let reason):
            field.isEmpty ? "\(file):\(line): \(reason)" : "\(file):\(line): field '\(field)': \(reason)"
        }
    }
}

extension TelemetryError: ExitStatusProviding {
    package var exitStatus: ExitStatus { .dataError }
}

import ToolContract

/// Failures of the monitor.
package enum MonitorError: Error, Equatable, CustomStringConvertible {
    /// The command line does not say what to compare (exit 64).
    case usage(String)
    /// The ledger has no such run or look (exit 66).
    case notFound(String)
    /// An event names a version that is neither arm (exit 65).
    case unknownVersion(file: String, line: Int, version: String, expected: [String])
    /// Prometheus could not be reached or failed (exit 69).
    case prometheusUnavailable(url: String, reason: String)
    /// Prometheus refused a policy's query (exit 65).
    case prometheusQuery(file: String, field: String, reason: String)
    /// A stored look cannot be read back (exit 65).
    case corruptLook(id: Int64, reason: String)

    package var description: String {
        switch self {
        case .usage(let text): text
        case .notFound(let text): text
        case .unknownVersion(let file, let line, let version, let expected):
            "\(file):\(line): field 'version': '\(version)' is neither arm of this analysis (expected "
                + expected.joined(separator: " or ")
                + "); set monitor.unknown_versions: skip to ignore other versions"
        case .prometheusUnavailable(let url, let reason): "Prometheus at \(url) is unavailable: \(reason)"
        case .prometheusQuery(let file, let field, let reason):
            "\(file): field '\(field)': Prometheus refused the query: \(reason)"
        case .corruptLook(let id, let reason): "look \(id) cannot be read back: \(reason)"
        }
    }
}

extension MonitorError: ExitStatusProviding {
    package var exitStatus: ExitStatus {
        switch self {
        case .usage: .usage
        case .notFound: .noInput
        case .unknownVersion, .prometheusQuery, .corruptLook: .dataError
        case .prometheusUnavailable: .unavailable
        }
    }
}

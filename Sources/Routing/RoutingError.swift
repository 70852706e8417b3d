import ToolContract

/// Failures rendering routing configuration.
package enum RoutingError: Error, Equatable, CustomStringConvertible {
    /// The router cannot express a requested feature; nothing is rendered rather than dropping it.
    case unsupported(router: String, feature: String, hint: String)
    /// A router name that is not one of the supported ones.
    case unknownRouter(name: String)
    /// A value the router cannot carry (for example a weight out of range).
    case invalidPlan(reason: String)
    /// A name, version, host or address outside its ``ConfigValue`` grammar: rendered, it could change the
    /// configuration's meaning (exit 65).
    case unsafeValue(field: String, value: String, rule: String)

    package var description: String {
        switch self {
        case .unsupported(let router, let feature, let hint):
            "router \(router) cannot express \(feature); \(hint)"
        case .unknownRouter(let name):
            "unknown router '\(name)'; expected one of: \(RouterKind.allCases.map(\.rawValue).joined(separator: ", "))"
        case .invalidPlan(let reason):
            "cannot render: \(reason)"
        case .unsafeValue(let field, let value, let rule):
            "cannot render \(field) '\(value.prefix(80))': a value there has \(rule)"
        }
    }
}

extension RoutingError: ExitStatusProviding {
    package var exitStatus: ExitStatus {
        if case .unsafeValue = self { return .dataError }
        return .usage
    }
}

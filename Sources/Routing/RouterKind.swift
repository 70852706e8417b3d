import Policy

/// A rendered configuration file.
package struct RenderedFile: Equatable, Sendable {
    /// File name inside the output directory.
    package var name: String
    /// The `validate` kind that checks it, or `nil` when there is no offline validator.
    package var validationKind: String?
    /// The file's text.
    package var text: String

    /// Makes a rendered file.
    package init(name: String, validationKind: String?, text: String) {
        self.name = name
        self.validationKind = validationKind
        self.text = text
    }
}

/// The routers AgentCanary renders configuration for.
package enum RouterKind: String, CaseIterable, Sendable {
    case istio
    case gatewayAPI = "gateway-api"
    case kong
    case apisix
    case nginx
    case awsALB = "aws-alb"
    case gcp
    /// OpenFeature flagd: the agent's code evaluates a flag whose variants are the versions.
    case flagd
    /// A controller outside AgentCanary (Argo Rollouts, Flagger, Spinnaker) moves the traffic and asks
    /// `monitor serve` for the decisions: nothing is rendered.
    case external

    /// Parses a router name.
    package static func named(_ name: String) throws(RoutingError) -> RouterKind {
        guard let kind = RouterKind(rawValue: name) else { throw .unknownRouter(name: name) }
        return kind
    }

    /// Renders `plan` for this router.
    package func render(_ plan: RoutingPlan) throws(RoutingError) -> [RenderedFile] {
        try plan.checkValues()
        return switch self {
        case .nginx: try NginxRenderer.render(plan)
        case .istio: try IstioRenderer.render(plan)
        case .gatewayAPI: try GatewayAPIRenderer.render(plan)
        case .kong: try KongRenderer.render(plan)
        case .apisix: try APISIXRenderer.render(plan)
        case .awsALB: try AWSALBRenderer.render(plan)
        case .gcp: try GCPRenderer.render(plan)
        case .flagd: try FlagdRenderer.render(plan)
        case .external: []
        }
    }
}

/// Regular-expression escaping for versions and values placed in patterns.
func regexEscaped(_ text: String) -> String {
    var escaped = ""
    for character in text {
        if "\\^$.|?*+()[]{}/".contains(character) { escaped.append("\\") }
        escaped.append(character)
    }
    return escaped
}

/// A cookie-header pattern that matches `name=value` as a whole cookie.
func cookiePattern(_ name: String, _ value: String) -> String {
    "(^|;\\s*)\(regexEscaped(name))=\(regexEscaped(value))(;|$)"
}

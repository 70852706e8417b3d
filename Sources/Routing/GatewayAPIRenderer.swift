import Policy
import Vocabulary

/// Kubernetes Gateway API: one HTTPRoute (`gateway.networking.k8s.io/v1`, standard channel).
///
/// Session persistence is experimental-only, so stickiness uses pin rules (header `Exact`, cookie
/// `RegularExpression`); each backendRef sets the pin with a `ResponseHeaderModifier`, and shadow mode
/// uses `RequestMirror` with `percent`.
enum GatewayAPIRenderer {
    static func render(_ plan: RoutingPlan) throws(RoutingError) -> [RenderedFile] {
        func backend(_ arm: Arm, weight: Int? = nil) -> Manifest {
            var pairs: [(String, Manifest)] = [
                ("name", .string(plan.backend(arm).service)), ("port", .int(plan.port)),
            ]
            if let weight { pairs.append(("weight", .int(weight))) }
            pairs.append(
                (
                    "filters",
                    .list([
                        .map([
                            ("type", .string("ResponseHeaderModifier")),
                            (
                                "responseHeaderModifier",
                                .map([
                                    (
                                        "set",
                                        .list([
                                            .map([
                                                ("name", .string("Set-Cookie")),
                                                ("value", .string(plan.pinCookieValue(arm))),
                                            ]),
                                            .map([
                                                ("name", .string(plan.pinHeader)),
                                                ("value", .string(plan.version(arm))),
                                            ]),
                                        ])
                                    )
                                ])
                            ),
                        ])
                    ])
                ))
            return .map(pairs)
        }
        func header(_ name: String, _ value: String, regex: Bool) -> Manifest {
            .map([
                (
                    "headers",
                    .list([
                        .map([
                            ("type", .string(regex ? "RegularExpression" : "Exact")), ("name", .string(name)),
                            ("value", .string(value)),
                        ])
                    ])
                )
            ])
        }
        var rules: [Manifest] = []
        for arm in plan.pinnedInOrder {
            rules.append(
                .map([
                    (
                        "matches",
                        .list([
                            header(plan.pinHeader, plan.version(arm), regex: false),
                            header(
                                "cookie", ".*" + cookiePattern(plan.pinCookie, plan.version(arm)) + ".*", regex: true),
                        ])
                    ),
                    ("backendRefs", .list([backend(arm)])),
                ]))
        }
        if !plan.candidateMatches.isEmpty {
            rules.append(
                .map([
                    (
                        "matches",
                        .list(
                            plan.candidateMatches.map { rule in
                                rule.kind == "header"
                                    ? header(rule.name, rule.value, regex: false)
                                    : header("cookie", ".*" + cookiePattern(rule.name, rule.value) + ".*", regex: true)
                            })
                    ),
                    ("backendRefs", .list([backend(.candidate)])),
                ]))
        }
        let weights = plan.defaultWeights
        var defaultRule: [(String, Manifest)] = [
            ("backendRefs", .list(weights.map { backend($0.0, weight: $0.1) }))
        ]
        if let percent = plan.mirrorPercent {
            defaultRule.insert(
                (
                    "filters",
                    .list([
                        .map([
                            ("type", .string("RequestMirror")),
                            (
                                "requestMirror",
                                .map([
                                    (
                                        "backendRef",
                                        .map([("name", .string(plan.shadow.service)), ("port", .int(plan.port))])
                                    ),
                                    ("percent", .int(percent)),
                                ])
                            ),
                        ])
                    ])
                ), at: 0)
        }
        rules.append(.map(defaultRule))
        let route = Manifest.map([
            ("apiVersion", .string("gateway.networking.k8s.io/v1")), ("kind", .string("HTTPRoute")),
            (
                "metadata",
                .map([
                    ("name", .string(plan.objectName)), ("namespace", .string(plan.namespace)),
                    ("labels", .map([("app.kubernetes.io/managed-by", .string("agent-canary"))])),
                ])
            ),
            (
                "spec",
                .map([
                    ("parentRefs", .list([.map([("name", .string(plan.gateway))])])),
                    ("hostnames", .list([.string(plan.host)])), ("rules", .list(rules)),
                ])
            ),
        ])
        return [RenderedFile(name: "httproute.yaml", validationKind: "httproute", text: route.yaml())]
    }
}

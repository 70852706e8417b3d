import Policy
import Vocabulary

/// Istio: a VirtualService and a DestinationRule (`networking.istio.io/v1`).
///
/// A DestinationRule's `consistentHash` does not keep a user on one subset when a route splits by weight
/// (the subset is drawn first), so stickiness comes from pin routes: a request carrying the
/// `x-agent-version` header or the `agent-version` cookie of a version still taking pinned traffic goes to
/// that version's subset; others are split by weight, and every response sets the pin.
enum IstioRenderer {
    static func render(_ plan: RoutingPlan) throws(RoutingError) -> [RenderedFile] {
        let host = plan.serviceHost(plan.objectName)
        let metadata = Manifest.map([
            ("name", .string(plan.objectName)), ("namespace", .string(plan.namespace)),
            ("labels", .map([("app.kubernetes.io/managed-by", .string("agent-canary"))])),
        ])
        func destination(_ subset: String) -> Manifest {
            .map([("host", .string(host)), ("subset", .string(subset)), ("port", .map([("number", .int(plan.port))]))])
        }
        func routeTo(_ arm: Arm, weight: Int? = nil) -> Manifest {
            var pairs: [(String, Manifest)] = [("destination", destination(arm.rawValue))]
            if let weight { pairs.append(("weight", .int(weight))) }
            pairs.append(
                (
                    "headers",
                    .map([
                        (
                            "response",
                            .map([
                                (
                                    "set",
                                    .map([
                                        ("set-cookie", .string(plan.pinCookieValue(arm))),
                                        (plan.pinHeader, .string(plan.version(arm))),
                                    ])
                                )
                            ])
                        )
                    ])
                ))
            return .map(pairs)
        }
        var routes: [Manifest] = []
        for arm in plan.pinnedInOrder {
            routes.append(
                .map([
                    ("name", .string("pin-\(arm.rawValue)")),
                    (
                        "match",
                        .list([
                            .map([("headers", .map([(plan.pinHeader, .map([("exact", .string(plan.version(arm)))]))]))]
                            ),
                            .map([
                                (
                                    "headers",
                                    .map([
                                        (
                                            "cookie",
                                            .map([
                                                (
                                                    "regex",
                                                    .string(
                                                        ".*" + cookiePattern(plan.pinCookie, plan.version(arm)) + ".*")
                                                )
                                            ])
                                        )
                                    ])
                                )
                            ]),
                        ])
                    ),
                    ("route", .list([routeTo(arm)])),
                ]))
        }
        if !plan.candidateMatches.isEmpty {
            routes.append(
                .map([
                    ("name", .string("match-candidate")),
                    ("match", .list(plan.candidateMatches.map { rule in .map([("headers", .map([match(rule)]))]) })),
                    ("route", .list([routeTo(.candidate)])),
                ]))
        }
        let weights = plan.defaultWeights
        var defaultRoute: [(String, Manifest)] = [
            ("name", .string("new-conversations")),
            ("route", .list(weights.map { routeTo($0.0, weight: weights.count > 1 ? $0.1 : nil) })),
        ]
        if let percent = plan.mirrorPercent {
            defaultRoute.append(("mirror", destination("shadow")))
            defaultRoute.append(("mirrorPercentage", .map([("value", .double(Double(percent)))])))
        }
        routes.append(.map(defaultRoute))
        let virtualService = Manifest.map([
            ("apiVersion", .string("networking.istio.io/v1")), ("kind", .string("VirtualService")),
            ("metadata", metadata),
            ("spec", .map([("hosts", .list([.string(plan.host), .string(host)])), ("http", .list(routes))])),
        ])
        var subsets: [Manifest] = Arm.allCases.map { arm in
            .map([
                ("name", .string(arm.rawValue)),
                (
                    "labels",
                    .map([
                        ("app.kubernetes.io/version", .string(plan.version(arm))),
                        ("agent-canary.dev/role", .string("serve")),
                    ])
                ),
            ])
        }
        if plan.mirrorPercent != nil {
            subsets.append(
                .map([
                    ("name", .string("shadow")),
                    (
                        "labels",
                        .map([
                            ("app.kubernetes.io/version", .string(plan.version(.candidate))),
                            ("agent-canary.dev/role", .string("shadow")),
                        ])
                    ),
                ]))
        }
        let destinationRule = Manifest.map([
            ("apiVersion", .string("networking.istio.io/v1")), ("kind", .string("DestinationRule")),
            ("metadata", metadata), ("spec", .map([("host", .string(host)), ("subsets", .list(subsets))])),
        ])
        return [
            RenderedFile(
                name: "virtualservice.yaml", validationKind: "istio-virtualservice", text: virtualService.yaml()),
            RenderedFile(
                name: "destinationrule.yaml", validationKind: "istio-destinationrule", text: destinationRule.yaml()),
        ]
    }

    static func match(_ rule: MatchRule) -> (String, Manifest) {
        rule.kind == "header"
            ? (rule.name, .map([("exact", .string(rule.value))]))
            : ("cookie", .map([("regex", .string(".*" + cookiePattern(rule.name, rule.value) + ".*"))]))
    }
}

import Policy
import Vocabulary

/// Google Cloud load balancing: a compute.v1 URL map (YAML, for `gcloud compute url-maps import`).
///
/// Google advises against session affinity with weighted backend services, so stickiness uses route rules
/// on the pin header and cookie (priorities 1…); new conversations go through `weightedBackendServices`,
/// each adding its pin to the response; shadow mode uses `requestMirrorPolicy` with `mirrorPercent`.
enum GCPRenderer {
    static func render(_ plan: RoutingPlan) throws(RoutingError) -> [RenderedFile] {
        func pinHeaders(_ arm: Arm) -> Manifest {
            .map([
                (
                    "responseHeadersToAdd",
                    .list([
                        .map([
                            ("headerName", .string("Set-Cookie")), ("headerValue", .string(plan.pinCookieValue(arm))),
                            ("replace", .bool(true)),
                        ]),
                        .map([
                            ("headerName", .string(plan.pinHeader)), ("headerValue", .string(plan.version(arm))),
                            ("replace", .bool(true)),
                        ]),
                    ])
                )
            ])
        }
        func rule(_ priority: Int, _ headerMatch: Manifest?, _ arm: Arm) -> Manifest {
            var match: [(String, Manifest)] = [("prefixMatch", .string("/"))]
            if let headerMatch { match.append(("headerMatches", .list([headerMatch]))) }
            return .map([
                ("priority", .int(priority)), ("matchRules", .list([.map(match)])),
                ("service", .string(plan.backend(arm).gcpBackendService)), ("headerAction", pinHeaders(arm)),
            ])
        }
        var rules: [Manifest] = []
        var priority = 1
        for arm in plan.pinnedInOrder {
            rules.append(
                rule(
                    priority,
                    .map([("headerName", .string(plan.pinHeader)), ("exactMatch", .string(plan.version(arm)))]), arm))
            rules.append(
                rule(
                    priority + 1,
                    .map([
                        ("headerName", .string("cookie")),
                        ("regexMatch", .string(".*" + cookiePattern(plan.pinCookie, plan.version(arm)) + ".*")),
                    ]), arm))
            priority += 2
        }
        for match in plan.candidateMatches {
            let headerMatch: Manifest =
                match.kind == "header"
                ? .map([("headerName", .string(match.name)), ("exactMatch", .string(match.value))])
                : .map([
                    ("headerName", .string("cookie")),
                    ("regexMatch", .string(".*" + cookiePattern(match.name, match.value) + ".*")),
                ])
            rules.append(rule(priority, headerMatch, .candidate))
            priority += 1
        }
        var action: [(String, Manifest)] = [
            (
                "weightedBackendServices",
                .list(
                    plan.defaultWeights.map { arm, weight in
                        .map([
                            ("backendService", .string(plan.backend(arm).gcpBackendService)),
                            ("weight", .int(weight * 10)), ("headerAction", pinHeaders(arm)),
                        ])
                    })
            )
        ]
        if let percent = plan.mirrorPercent {
            action.append(
                (
                    "requestMirrorPolicy",
                    .map([
                        ("backendService", .string(plan.shadow.gcpBackendService)),
                        ("mirrorPercent", .double(Double(percent))),
                    ])
                ))
        }
        rules.append(
            .map([
                ("priority", .int(1000)), ("matchRules", .list([.map([("prefixMatch", .string("/"))])])),
                ("routeAction", .map(action)),
            ]))
        let urlMap = Manifest.map([
            ("name", .string(plan.objectName)),
            ("defaultService", .string(plan.backend(.baseline).gcpBackendService)),
            ("hostRules", .list([.map([("hosts", .list([.string(plan.host)])), ("pathMatcher", .string("agent"))])])),
            (
                "pathMatchers",
                .list([
                    .map([
                        ("name", .string("agent")),
                        ("defaultService", .string(plan.backend(.baseline).gcpBackendService)),
                        ("routeRules", .list(rules)),
                    ])
                ])
            ),
        ])
        return [RenderedFile(name: "urlmap.yaml", validationKind: "gcp-urlmap", text: urlMap.yaml())]
    }
}

import Policy
import Vocabulary

/// Kong Gateway (open source): a decK declarative configuration (`_format_version: "3.0"`).
///
/// New conversations go through an upstream that hashes on the conversation header (`hash_on: header`),
/// so every request of a new conversation reaches the same target, weighted; pinned conversations match
/// routes on the pin header or cookie (regex header match, Kong 3). Kong OSS has no traffic mirroring:
/// shadow mode is refused. There is no offline validator here: run `deck gateway validate kong.yaml`.
enum KongRenderer {
    static func render(_ plan: RoutingPlan) throws(RoutingError) -> [RenderedFile] {
        if plan.mirrorPercent != nil {
            throw .unsupported(
                router: "kong", feature: "mirroring a share of requests (shadow mode)",
                hint: "Kong OSS has no mirroring plugin; use istio, gateway-api, apisix, nginx or gcp for shadow mode")
        }
        let name = plan.objectName
        func route(_ routeName: String, headers: [(String, String)]) -> Manifest {
            var pairs: [(String, Manifest)] = [
                ("name", .string(routeName)), ("hosts", .list([.string(plan.host)])), ("paths", .list([.string("/")])),
                ("strip_path", .bool(false)),
            ]
            if !headers.isEmpty {
                pairs.append(("headers", .map(headers.map { ($0.0, .list([.string($0.1)])) })))
            }
            return .map(pairs)
        }
        func pinPlugin(_ arm: Arm) -> Manifest {
            .map([
                ("name", .string("response-transformer")),
                (
                    "config",
                    .map([
                        (
                            "add",
                            .map([
                                (
                                    "headers",
                                    .list([
                                        .string("Set-Cookie:\(plan.pinCookieValue(arm))"),
                                        .string("\(plan.pinHeader):\(plan.version(arm))"),
                                    ])
                                )
                            ])
                        )
                    ])
                ),
            ])
        }
        var upstreams: [Manifest] = []
        var services: [Manifest] = []
        for arm in Arm.allCases {
            upstreams.append(
                .map([
                    ("name", .string("\(name)-\(arm.rawValue)")),
                    (
                        "targets",
                        .list([.map([("target", .string(plan.backend(arm).address)), ("weight", .int(100))])])
                    ),
                ]))
        }
        for arm in plan.pinnedInOrder {
            services.append(
                .map([
                    ("name", .string("\(name)-pinned-\(arm.rawValue)")), ("host", .string("\(name)-\(arm.rawValue)")),
                    ("port", .int(plan.port)), ("protocol", .string("http")),
                    (
                        "routes",
                        .list([
                            route("\(name)-pin-header-\(arm.rawValue)", headers: [(plan.pinHeader, plan.version(arm))]),
                            route(
                                "\(name)-pin-cookie-\(arm.rawValue)",
                                headers: [("cookie", "~*" + cookiePattern(plan.pinCookie, plan.version(arm)))]),
                        ])
                    ),
                    ("plugins", .list([pinPlugin(arm)])),
                ]))
        }
        if !plan.candidateMatches.isEmpty {
            services.append(
                .map([
                    ("name", .string("\(name)-matched-candidate")), ("host", .string("\(name)-candidate")),
                    ("port", .int(plan.port)), ("protocol", .string("http")),
                    (
                        "routes",
                        .list(
                            plan.candidateMatches.enumerated().map { index, match in
                                route(
                                    "\(name)-match-\(index)",
                                    headers: [
                                        match.kind == "header"
                                            ? (match.name, match.value)
                                            : ("cookie", "~*" + cookiePattern(match.name, match.value))
                                    ])
                            })
                    ),
                    ("plugins", .list([pinPlugin(.candidate)])),
                ]))
        }
        upstreams.append(
            .map([
                ("name", .string("\(name)-new")), ("algorithm", .string("consistent-hashing")),
                ("hash_on", .string("header")), ("hash_on_header", .string(plan.conversationHeader)),
                ("hash_fallback", .string("none")),
                (
                    "targets",
                    .list(
                        plan.defaultWeights.map { arm, weight in
                            .map([("target", .string(plan.backend(arm).address)), ("weight", .int(weight * 10))])
                        })
                ),
            ]))
        services.append(
            .map([
                ("name", .string("\(name)-new")), ("host", .string("\(name)-new")), ("port", .int(plan.port)),
                ("protocol", .string("http")), ("routes", .list([route("\(name)-new", headers: [])])),
            ]))
        let config = Manifest.map([
            ("_format_version", .string("3.0")),
            ("_info", .map([("select_tags", .list([.string("agent-canary"), .string(name)]))])),
            ("upstreams", .list(upstreams)), ("services", .list(services)),
        ])
        return [
            RenderedFile(
                name: "kong.yaml", validationKind: nil,
                text:
                    "# decK declarative configuration rendered by canary-deploy; check with: deck gateway validate kong.yaml\n"
                    + config.yaml())
        ]
    }
}

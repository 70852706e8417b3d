import Foundation
import Policy
import Vocabulary

/// Apache APISIX: a route (Admin API JSON) whose `traffic-split` plugin holds the pins and the weights,
/// and, in shadow mode, a `proxy-mirror` plugin with `sample_ratio`. The plugin object alone is written
/// too, for validation against the plugin's schema.
///
/// `traffic-split` cannot set a response header per upstream, so the pin comes from the agent: it answers
/// with `x-agent-version` and `Set-Cookie: agent-version=…` (the Stages documentation, canary-deploy: "Stickiness").
enum APISIXRenderer {
    static func render(_ plan: RoutingPlan) throws(RoutingError) -> [RenderedFile] {
        func upstream(_ arm: Arm) -> Manifest {
            .map([
                ("name", .string("\(plan.objectName)-\(arm.rawValue)")), ("type", .string("roundrobin")),
                ("nodes", .map([(plan.backend(arm).address, .int(1))])),
            ])
        }
        func rule(_ matches: [Manifest], _ arm: Arm) -> Manifest {
            .map([
                ("match", .list(matches)),
                ("weighted_upstreams", .list([.map([("upstream", upstream(arm)), ("weight", .int(1))])])),
            ])
        }
        func vars(_ name: String, _ value: String) -> Manifest {
            .map([("vars", .list([.list([.string(name), .string("=="), .string(value)])]))])
        }
        func headerVariable(_ name: String) -> String {
            "http_" + name.lowercased().replacingOccurrences(of: "-", with: "_")
        }
        var rules: [Manifest] = []
        for arm in plan.pinnedInOrder {
            rules.append(
                rule(
                    [
                        vars(headerVariable(plan.pinHeader), plan.version(arm)),
                        vars("cookie_\(plan.pinCookie)", plan.version(arm)),
                    ],
                    arm))
        }
        if !plan.candidateMatches.isEmpty {
            rules.append(
                rule(
                    plan.candidateMatches.map { match in
                        match.kind == "header"
                            ? vars(headerVariable(match.name), match.value) : vars("cookie_\(match.name)", match.value)
                    }, .candidate))
        }
        // The default rule: a weighted upstream without `upstream` is the route's own (the baseline).
        rules.append(
            .map([
                (
                    "weighted_upstreams",
                    .list(
                        plan.defaultWeights.map { arm, weight in
                            arm == .baseline
                                ? .map([("weight", .int(weight))])
                                : .map([("upstream", upstream(arm)), ("weight", .int(weight))])
                        })
                )
            ]))
        let trafficSplit = Manifest.map([("rules", .list(rules))])
        var plugins: [(String, Manifest)] = [("traffic-split", trafficSplit)]
        if let percent = plan.mirrorPercent {
            plugins.append(
                (
                    "proxy-mirror",
                    .map([
                        ("host", .string("http://\(plan.shadow.address)")),
                        ("sample_ratio", .double(Double(percent) / 100)),
                    ])
                ))
        }
        let route = Manifest.map([
            ("name", .string(plan.objectName)), ("desc", .string("AgentCanary routing (rendered by canary-deploy)")),
            ("uri", .string("/*")), ("hosts", .list([.string(plan.host)])), ("plugins", .map(plugins)),
            ("upstream", upstream(.baseline)),
        ])
        return [
            RenderedFile(name: "apisix-route.json", validationKind: nil, text: route.json() + "\n"),
            RenderedFile(
                name: "apisix-traffic-split.json", validationKind: "apisix-traffic-split",
                text: trafficSplit.json() + "\n"),
        ]
    }
}

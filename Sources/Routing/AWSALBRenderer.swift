import Foundation
import Policy
import Vocabulary

/// AWS Application Load Balancer: `aws elbv2 modify-listener` and `create-rule` input JSON.
///
/// Target-group weights are 0–999, so percent is scaled by 9. New conversations are pinned by target-group
/// stickiness (`DurationSeconds` 1–604800); explicit pins use listener rules on the pin header and on the
/// `Cookie` header with wildcards. An ALB cannot mirror traffic: shadow mode is refused.
enum AWSALBRenderer {
    static let stickinessSeconds = 86_400

    static func render(_ plan: RoutingPlan) throws(RoutingError) -> [RenderedFile] {
        if plan.mirrorPercent != nil {
            throw .unsupported(
                router: "aws-alb", feature: "mirroring a share of requests (shadow mode)",
                hint: "use istio, gateway-api, apisix, nginx or gcp for shadow mode, or VPC traffic mirroring")
        }
        let listener = plan.awsListenerArn
        let weights = plan.defaultWeights
        let defaultActions = Manifest.list([
            .map([
                ("Type", .string("forward")),
                (
                    "ForwardConfig",
                    .map([
                        (
                            "TargetGroups",
                            .list(
                                weights.map { arm, weight in
                                    .map([
                                        ("TargetGroupArn", .string(plan.backend(arm).awsTargetGroupArn)),
                                        ("Weight", .int(weight * 9)),
                                    ])
                                })
                        ),
                        (
                            "TargetGroupStickinessConfig",
                            .map([("Enabled", .bool(true)), ("DurationSeconds", .int(stickinessSeconds))])
                        ),
                    ])
                ),
            ])
        ])
        var files = [
            RenderedFile(
                name: "modify-listener.json", validationKind: "aws-alb-listener",
                text: Manifest.map([("ListenerArn", .string(listener)), ("DefaultActions", defaultActions)]).json()
                    + "\n")
        ]
        var priority = 10
        func rule(_ name: String, _ header: String, _ values: [String], _ arm: Arm) {
            let manifest = Manifest.map([
                ("ListenerArn", .string(listener)), ("Priority", .int(priority)),
                (
                    "Conditions",
                    .list([
                        .map([
                            ("Field", .string("http-header")),
                            (
                                "HttpHeaderConfig",
                                .map([
                                    ("HttpHeaderName", .string(header)), ("Values", .list(values.map { .string($0) })),
                                ])
                            ),
                        ])
                    ])
                ),
                (
                    "Actions",
                    .list([
                        .map([
                            ("Type", .string("forward")),
                            ("TargetGroupArn", .string(plan.backend(arm).awsTargetGroupArn)),
                        ])
                    ])
                ),
                ("Tags", .list([.map([("Key", .string("managed-by")), ("Value", .string("agent-canary"))])])),
            ])
            files.append(
                RenderedFile(
                    name: String(format: "create-rule-%02d-%@.json", files.count, name), validationKind: "aws-alb-rule",
                    text: manifest.json() + "\n"))
            priority += 10
        }
        for arm in plan.pinnedInOrder {
            rule("pin-header-\(arm.rawValue)", plan.pinHeader, [plan.version(arm)], arm)
            rule("pin-cookie-\(arm.rawValue)", "Cookie", ["*\(plan.pinCookie)=\(plan.version(arm))*"], arm)
        }
        for (index, match) in plan.candidateMatches.enumerated() {
            if match.kind == "header" {
                rule("match-\(index)", match.name, [match.value], .candidate)
            } else {
                rule("match-\(index)", "Cookie", ["*\(match.name)=\(match.value)*"], .candidate)
            }
        }
        return files
    }
}

import Foundation
import Policy
import PolicyFiles
import Routing
import TestSupport
import Testing
import Vocabulary
import Yams

/// Every router in every mode, against golden files (`Golden/routing/ROUTER/MODE/`). `RoutingValidationTests`
/// checks the same renderings with the routers' real schemas and tools (`Tests/Validation/validate`).
@Suite("Routing renderers")
struct RoutingRendererTests {
    static let modes: [RolloutMode] = [.canary, .shadow, .dark, .ab]

    static func plan(_ mode: RolloutMode, weight: Int = 25, phase: RolloutPhase = .progressing) throws -> RoutingPlan {
        let policy = try PolicyLoader.load(
            path: Repository.path("Tests/Fixtures/rollout.yaml"), agentName: nil)
        return RoutingPlan.make(
            agent: policy.policy.agent.name, baselineVersion: "1.4.0", candidateVersion: "1.5.0",
            rollout: policy.policy.rollout, mode: mode, weight: weight, phase: phase,
            drainingArm: phase == .progressing ? nil : phase == .promoted ? .baseline : .candidate,
            drainDeadline: phase == .progressing ? nil : "2026-11-26T12:30:00Z")
    }

    @Test("golden files for every router and mode", arguments: RouterKind.allCases)
    func golden(router: RouterKind) throws {
        for mode in Self.modes {
            let plan = try Self.plan(mode)
            let unsupported = (router == .kong || router == .awsALB || router == .flagd) && mode == .shadow
            if unsupported {
                #expect(throws: RoutingError.self) { try router.render(plan) }
                continue
            }
            for file in try router.render(plan) {
                let name = "routing/\(router.rawValue)/\(mode.rawValue)/\(file.name)"
                Golden.check(file.text, name)
            }
        }
    }

    @Test("a router that cannot mirror refuses shadow mode, naming the router and the feature")
    func unsupported() throws {
        let plan = try Self.plan(.shadow)
        #expect(
            throws: RoutingError.unsupported(
                router: "aws-alb", feature: "mirroring a share of requests (shadow mode)",
                hint: "use istio, gateway-api, apisix, nginx or gcp for shadow mode, or VPC traffic mirroring")
        ) { try RouterKind.awsALB.render(plan) }
        #expect(throws: RoutingError.unknownRouter(name: "haproxy")) { try RouterKind.named("haproxy") }
    }

    @Test("after promotion the baseline's pins drain and new conversations go to the candidate")
    func drain() throws {
        let promoted = try Self.plan(.canary, weight: 100, phase: .promoted)
        #expect(promoted.newConversations == .all(.candidate))
        #expect(promoted.pinned == [.baseline, .candidate])
        let nginx = try RouterKind.nginx.render(promoted).first { $0.name == "agent-canary.conf" }?.text ?? ""
        #expect(nginx.contains("drain until 2026-11-26T12:30:00Z"))
        #expect(nginx.contains("\"1.4.0\" baseline;"))
        let rolledBack = try Self.plan(.canary, weight: 0, phase: .rolledBack)
        #expect(rolledBack.newConversations == .all(.baseline))
        let afterDeadline = RoutingPlan.make(
            agent: "a", baselineVersion: "1", candidateVersion: "2", rollout: RolloutSection(), mode: .canary,
            weight: 0, phase: .rolledBack, drainingArm: nil, drainDeadline: nil)
        #expect(afterDeadline.pinned == [.baseline])
    }

    /// Kong has no offline validator here: the file must parse and follow decK's declarative format
    /// (users run `deck gateway validate`).
    @Test("the Kong configuration is decK's declarative format; the APISIX route is JSON")
    func kongAndAPISIX() throws {
        for mode in [RolloutMode.canary, .dark, .ab] {
            let text = try #require(try RouterKind.kong.render(try Self.plan(mode)).first?.text)
            let config = try #require(try Yams.load(yaml: text) as? [String: Any])
            #expect(config["_format_version"] as? String == "3.0")
            let services = try #require(config["services"] as? [[String: Any]])
            let upstreams = try #require(config["upstreams"] as? [[String: Any]])
            #expect(services.allSatisfy { $0["name"] is String && $0["host"] is String && $0["routes"] is [Any] })
            #expect(upstreams.allSatisfy { $0["name"] is String && ($0["targets"] as? [Any])?.isEmpty == false })
            let hosts = Set(upstreams.compactMap { $0["name"] as? String })
            #expect(services.allSatisfy { hosts.contains($0["host"] as? String ?? "") })
            let route = try #require(
                try RouterKind.apisix.render(try Self.plan(mode)).first { $0.name == "apisix-route.json" })
            let object = try JSONSerialization.jsonObject(with: Data(route.text.utf8)) as? [String: Any]
            #expect((object?["plugins"] as? [String: Any])?["traffic-split"] != nil)
        }
    }

    @Test("split weights: the AWS ALB's 0–999 range and the others' percentages")
    func weights() throws {
        let files = try RouterKind.awsALB.render(try Self.plan(.canary, weight: 5))
        let listener = try #require(files.first { $0.name == "modify-listener.json" }).text
        #expect(listener.contains("\"Weight\": 855") && listener.contains("\"Weight\": 45"))
        let istio = try RouterKind.istio.render(try Self.plan(.canary, weight: 5))[0].text
        #expect(istio.contains("weight: 95") && istio.contains("weight: 5"))
    }
}

/// Freshly rendered configuration, every router, mode and phase, through the routers' real schemas and tools
/// (`Tests/Validation/validate`).
@Suite("Rendered configuration against the routers' validators", .requires(.pythonEnvironment, .nginx))
struct RoutingValidationTests {
    @Test("every router, mode and phase validates")
    func validate() throws {
        let directory = try TemporaryDirectory()
        var byKind: [String: [String]] = [:]
        // The golden files' plans (25 %), an early step, and the ends of a rollout.
        let cases: [(RolloutMode, Int, RolloutPhase)] =
            RoutingRendererTests.modes.map { ($0, 25, .progressing) }
            + RoutingRendererTests.modes.map {
                ($0, 5, .progressing)
            } + [
                (.canary, 100, .promoted), (.canary, 0, .rolledBack), (.canary, 100, .progressing),
                (.canary, 0, .progressing),
            ]
        for router in RouterKind.allCases {
            for (index, (mode, weight, phase)) in cases.enumerated() {
                let plan = try RoutingRendererTests.plan(mode, weight: weight, phase: phase)
                guard let files = try? router.render(plan) else {
                    #expect((router == .kong || router == .awsALB || router == .flagd) && mode == .shadow)
                    continue
                }
                for file in files {
                    guard let kind = file.validationKind else { continue }
                    let path = try directory.write("\(router.rawValue)/\(index)/\(file.name)", file.text)
                    byKind[kind, default: []].append(path)
                }
            }
        }
        #expect(byKind.keys.count == 9)
        for (kind, paths) in byKind.sorted(by: { $0.key < $1.key }) {
            let result = try Validator.check(kind, paths)
            #expect(result.status == 0, "\(kind): \(result.output)")
        }
    }
}

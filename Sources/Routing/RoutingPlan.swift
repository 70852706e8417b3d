import Policy
import ToolContract
import Vocabulary

/// Where new conversations go.
package enum NewConversations: Equatable, Sendable {
    /// A weighted split: `candidatePercent` of new conversations go to the candidate.
    case split(candidatePercent: Int)
    /// All of them go to one arm.
    case all(Arm)
    /// Requests matching any rule go to the candidate, the others to the baseline (A/B and dark launch).
    case match([MatchRule])
}

/// New conversations from a time on (a rollout transition) and where they went.
package struct ConversationPeriod: Equatable, Sendable {
    /// When the period began (Unix seconds).
    package var startedAt: Int
    package var newConversations: NewConversations

    /// Makes a period.
    package init(startedAt: Int, newConversations: NewConversations) {
        self.startedAt = startedAt
        self.newConversations = newConversations
    }
}

/// What a router must do, independent of the router: the input of every renderer.
package struct RoutingPlan: Equatable, Sendable {
    /// The agent's name, used to name routes and upstreams.
    package var agent: String
    /// The version of each arm.
    package var versions: [Arm: String]
    /// The deployment of each arm.
    package var backends: [Arm: Backend]
    /// How new conversations are assigned.
    package var newConversations: NewConversations
    /// The arms whose pinned conversations keep reaching them.
    package var pinned: Set<Arm>
    /// When set, this share of requests (percent) is mirrored to the shadow deployment.
    package var mirrorPercent: Int?
    /// The shadow deployment.
    package var shadow: Backend
    /// The conversation header.
    package var conversationHeader: String
    /// The pin cookie's name.
    package var pinCookie: String
    /// The pin header's name.
    package var pinHeader: String
    /// Public host, namespace and port.
    package var host: String
    package var namespace: String
    package var port: Int
    /// What a self-hosted gateway (nginx) listens on.
    package var listen: String
    /// The Gateway API Gateway the route attaches to.
    package var gateway: String
    /// The AWS ALB listener the rules belong to.
    package var awsListenerArn: String
    /// Pins of a version that takes no new conversations are honoured until this time (ISO-8601), shown
    /// in the rendered configuration.
    package var drainDeadline: String?
    /// Where new conversations went since the rollout started, oldest first: a router that assigns a
    /// conversation by when it started (flagd) keeps each one where its period sent it. Empty without a ledger
    /// (a preview): then only ``newConversations`` is known.
    package var periods: [ConversationPeriod] = []

    /// The version of an arm.
    package func version(_ arm: Arm) -> String { versions[arm] ?? arm.rawValue }

    /// The deployment of an arm.
    package func backend(_ arm: Arm) -> Backend {
        backends[arm] ?? Backend(service: arm.rawValue, address: "", awsTargetGroupArn: "", gcpBackendService: "")
    }

    /// Refuses a plan with a value outside its grammar, whatever let it in: every renderer reads the plan, so
    /// nothing any of them writes can carry a newline, a quote or a `;` into its format.
    package func checkValues() throws(RoutingError) {
        var values: [(String, String, ConfigValue)] = [
            ("the agent", agent, .name), ("the host", host, .host), ("the namespace", namespace, .name),
            ("rollout.listen", listen, .address), ("rollout.gateway", gateway, .name),
            ("rollout.aws_listener_arn", awsListenerArn, .resource),
        ]
        for arm in Arm.allCases {
            values.append(("the \(arm.rawValue) version", version(arm), .version))
        }
        for (name, backend) in [
            ("baseline", backend(.baseline)), ("candidate", backend(.candidate)), ("shadow", shadow),
        ] {
            values.append(("rollout.\(name).service", backend.service, .name))
            if !backend.address.isEmpty { values.append(("rollout.\(name).address", backend.address, .address)) }
            for (field, value) in [
                ("aws_target_group_arn", backend.awsTargetGroupArn), ("gcp_backend_service", backend.gcpBackendService),
            ] where !value.isEmpty {
                values.append(("rollout.\(name).\(field)", value, .resource))
            }
        }
        values += [
            ("rollout.conversation_header", conversationHeader, .headerName),
            ("rollout.pin_cookie", pinCookie, .headerName),
            ("rollout.pin_header", pinHeader, .headerName),
        ]
        if case .match(let rules) = newConversations {
            for rule in rules {
                values.append(("the \(rule.kind) name \(rule.name)", rule.name, .headerName))
                values.append(("the \(rule.kind) value of \(rule.name)", rule.value, .matchValue))
            }
        }
        for (field, value, grammar) in values where !grammar.accepts(value) {
            throw .unsafeValue(field: field, value: value, rule: grammar.rule)
        }
    }

    /// The arms in a fixed order (candidate first, so its pin routes come first).
    package var pinnedInOrder: [Arm] { [Arm.candidate, .baseline].filter { pinned.contains($0) } }
}

extension RoutingPlan {
    /// The plan for a rollout: its mode, the weight in force, its phase and any drain still running.
    package static func make(
        agent: String, baselineVersion: String, candidateVersion: String, rollout: RolloutSection, mode: RolloutMode,
        weight: Int, phase: RolloutPhase, drainingArm: Arm?, drainDeadline: String?
    ) -> RoutingPlan {
        var plan = RoutingPlan(
            agent: agent, versions: [.baseline: baselineVersion, .candidate: candidateVersion],
            backends: [.baseline: rollout.baseline, .candidate: rollout.candidate],
            newConversations: .split(candidatePercent: weight), pinned: [.baseline, .candidate], mirrorPercent: nil,
            shadow: rollout.shadow, conversationHeader: rollout.conversationHeader, pinCookie: rollout.pinCookie,
            pinHeader: rollout.pinHeader, host: rollout.host, namespace: rollout.namespace, port: rollout.port,
            listen: rollout.listen, gateway: rollout.gateway, awsListenerArn: rollout.awsListenerArn,
            drainDeadline: nil)
        switch phase {
        case .promoted, .rolledBack:
            let serving: Arm = phase == .promoted ? .candidate : .baseline
            plan.newConversations = .all(serving)
            plan.pinned = [serving]
            if let drainingArm, let drainDeadline {
                plan.pinned.insert(drainingArm)
                plan.drainDeadline = drainDeadline
            }
        case .progressing, .paused:
            switch mode {
            case .canary:
                plan.newConversations = weight >= 100 ? .all(.candidate) : .split(candidatePercent: weight)
            case .shadow:
                plan.newConversations = .all(.baseline)
                plan.pinned = [.baseline]
                plan.mirrorPercent = weight
            case .dark:
                plan.newConversations = .match([rollout.darkHeader])
                // Only marked requests may reach the candidate: its pins are not honoured on their own.
                plan.pinned = [.baseline]
            case .ab:
                plan.newConversations = .match(rollout.abMatches)
            }
        }
        return plan
    }
}

extension RoutingPlan {
    /// The `Set-Cookie` value that pins a conversation to an arm's version.
    func pinCookieValue(_ arm: Arm) -> String {
        "\(pinCookie)=\(version(arm)); Path=/; HttpOnly; SameSite=Lax"
    }

    /// The cluster-local host name of a Kubernetes service.
    func serviceHost(_ service: String) -> String {
        "\(service).\(namespace).svc.cluster.local"
    }

    /// A name for Kubernetes objects: the agent's name, lower-cased, with other characters as dashes.
    var objectName: String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        let name = String(agent.lowercased().map { allowed.contains($0) ? $0 : "-" })
        return name.isEmpty ? "agent" : name
    }

    /// The weights of the default route, leaving out arms at zero.
    var defaultWeights: [(Arm, Int)] {
        switch newConversations {
        case .split(let percent):
            return [(Arm.baseline, 100 - percent), (.candidate, percent)].filter { $0.1 > 0 }
        case .all(let arm):
            return [(arm, 100)]
        case .match:
            return [(.baseline, 100)]
        }
    }

    /// Rules that send a request to the candidate (dark launch and A/B), empty otherwise.
    var candidateMatches: [MatchRule] {
        if case .match(let rules) = newConversations { return rules }
        return []
    }
}

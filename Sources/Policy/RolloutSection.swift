import Vocabulary

/// A header or cookie rule of an A/B route.
package struct MatchRule: Codable, Equatable, Sendable {
    /// `header` or `cookie`.
    package var kind: String
    /// The header or cookie name.
    package var name: String
    /// The exact value that matches.
    package var value: String

    /// Makes a rule.
    package init(kind: String, name: String, value: String) {
        self.kind = kind
        self.name = name
        self.value = value
    }
}

/// One deployment of the agent that a router sends traffic to.
package struct Backend: Codable, Equatable, Sendable {
    /// The Kubernetes service (Istio, Gateway API) or the upstream's name (Kong, APISIX, nginx).
    package var service: String
    /// `host:port` the gateway connects to (nginx, Kong, APISIX).
    package var address: String
    /// The target group (AWS ALB).
    package var awsTargetGroupArn: String
    /// The backend service (GCP URL map).
    package var gcpBackendService: String

    /// Makes a backend.
    package init(service: String, address: String, awsTargetGroupArn: String, gcpBackendService: String) {
        self.service = service
        self.address = address
        self.awsTargetGroupArn = awsTargetGroupArn
        self.gcpBackendService = gcpBackendService
    }
}

/// The `rollout` section: how `canary-deploy` moves traffic.
package struct RolloutSection: Codable, Equatable, Sendable {
    /// The exposure mode.
    package var mode: RolloutMode = .canary
    /// The steps, in increasing weight.
    package var steps: [RolloutStep] = [
        RolloutStep(weight: 1, minTasks: 200, minDurationSeconds: 600),
        RolloutStep(weight: 5, minTasks: 400, minDurationSeconds: 600),
        RolloutStep(weight: 25, minTasks: 800, minDurationSeconds: 1200),
        RolloutStep(weight: 50, minTasks: 1200, minDurationSeconds: 1200),
        RolloutStep(weight: 100, minTasks: 1200, minDurationSeconds: 1200),
    ]
    /// How long pinned conversations of a version that takes no new ones keep reaching it, in seconds.
    package var drainTimeoutSeconds: Int = 1800
    /// The header (name and value) that marks dark-launch traffic.
    package var darkHeader = MatchRule(kind: "header", name: "x-agent-canary", value: "dark")
    /// A/B rules: a request matching any of them goes to the candidate.
    package var abMatches: [MatchRule] = []
    /// The request header carrying the conversation id (`gen_ai.conversation.id` on the wire).
    package var conversationHeader = "x-conversation-id"
    /// The cookie that pins a conversation to a version (`agent-version=<version>`).
    package var pinCookie = "agent-version"
    /// The response header that pins a conversation to a version, for clients that echo it.
    package var pinHeader = "x-agent-version"
    /// The public host name routes answer for.
    package var host = "agent.example.com"
    /// The Kubernetes namespace of the services.
    package var namespace = "default"
    /// The port of the services.
    package var port = 8080
    /// What a self-hosted gateway (nginx) listens on: a port or `address:port`.
    package var listen = "8080"
    /// The policy's `notify:` targets, kept with the rollout when it starts so that every later command of the
    /// run tells the same people; `nil` without any.
    package var notify: [NotifyTarget]?
    /// The Gateway API Gateway an HTTPRoute attaches to.
    package var gateway = "agent-gateway"
    /// The AWS ALB listener whose default action and rules are rendered.
    package var awsListenerArn =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/agents/0123456789abcdef/0123456789abcdef"
    /// The stable deployment.
    package var baseline = Backend(
        service: "agent-stable", address: "127.0.0.1:9001",
        awsTargetGroupArn:
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/agent-stable/0123456789abcdef",
        gcpBackendService: "projects/example/global/backendServices/agent-stable")
    /// The candidate deployment.
    package var candidate = Backend(
        service: "agent-canary", address: "127.0.0.1:9002",
        awsTargetGroupArn:
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/agent-canary/0123456789abcdef",
        gcpBackendService: "projects/example/global/backendServices/agent-canary")
    /// The candidate's dry-run deployment that receives mirrored traffic in shadow mode.
    package var shadow = Backend(
        service: "agent-shadow", address: "127.0.0.1:9003",
        awsTargetGroupArn:
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/agent-shadow/0123456789abcdef",
        gcpBackendService: "projects/example/global/backendServices/agent-shadow")

    /// The defaults.
    package init() {}
}

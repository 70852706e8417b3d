import Foundation
import Policy
import ToolContract
import Vocabulary
import Yams

/// A release policy together with what identifies it in artifacts and the ledger.
package struct LoadedPolicy: Sendable {
    /// The policy in force.
    package var policy: ReleasePolicy
    /// The file it came from and its SHA-256, or `nil` for the built-in defaults.
    package var source: InputFile?

    /// SHA-256 of the canonical JSON of the policy in force (after flags override it).
    package var effectiveSha256: String {
        (try? ArtifactCoding.encode(policy)).map { Digest.sha256($0) } ?? ""
    }

    /// SHA-256 of the canonical JSON of the sections a gate reads (`agent` and `gate`), so a gate's
    /// recorded policy hash does not change when other tools' sections do.
    package var gateSha256: String {
        struct GateView: Encodable {
            var agent: AgentSection
            var gate: GateSection
        }
        return (try? ArtifactCoding.encode(GateView(agent: policy.agent, gate: policy.gate))).map { Digest.sha256($0) }
            ?? ""
    }
}

/// Reads and validates release policy files.
package enum PolicyLoader {
    static let topLevelKeys = ["agent", "gate", "rollout", "monitor", "export", "notify"]

    /// Loads the policy at `path`, or the defaults for `agentName` when `path` is `nil`.
    package static func load(path: String?, agentName: String?) throws(PolicyError) -> LoadedPolicy {
        guard let path else {
            let name = try agentName.map(checkedAgentFlag) ?? ""
            return LoadedPolicy(policy: ReleasePolicy(agent: AgentSection(name: name)), source: nil)
        }
        guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(path: path) }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw .syntax(file: path, line: 1, reason: "the file is not UTF-8 text")
        }
        var policy = try parse(text, file: path)
        if let agentName { policy.agent.name = try checkedAgentFlag(agentName) }
        return LoadedPolicy(policy: policy, source: InputFile(path: path, sha256: Digest.sha256(data), role: "policy"))
    }

    /// The `--agent` flag's value, held to the grammar of `agent.name`.
    static func checkedAgentFlag(_ name: String) throws(PolicyError) -> String {
        guard ConfigValue.name.accepts(name) else {
            throw .invalidFlag(flag: "--agent", value: name, reason: "an agent name has \(ConfigValue.name.rule)")
        }
        return name
    }

    /// Parses a policy from YAML or JSON text; `file` names it in errors.
    package static func parse(_ text: String, file: String) throws(PolicyError) -> ReleasePolicy {
        try refuseAliasKeys(text, file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PolicyError.syntax(file: file, line: 1, reason: "the file is empty")
            }
            root = node
        } catch let error as PolicyError {
            throw error
        } catch let error as YamlError {
            throw .syntax(file: file, line: line(of: error), reason: reasonText(of: error))
        } catch {
            throw .syntax(file: file, line: 1, reason: String(describing: error))
        }
        let document = PolicyNode(node: root, path: "", file: file)
        let sections = try document.members(allowed: topLevelKeys)
        guard let agentNode = sections["agent"] else { throw .missingField(file: file, field: "agent") }
        let agent = try readAgent(agentNode)
        var policy = ReleasePolicy(agent: agent)
        if let gateNode = sections["gate"] { policy.gate = try readGate(gateNode) }
        if let rolloutNode = sections["rollout"] { policy.rollout = try readRollout(rolloutNode) }
        if let monitorNode = sections["monitor"] { policy.monitor = try readMonitor(monitorNode) }
        if let exportNode = sections["export"] { policy.export = try readExport(exportNode) }
        if let notifyNode = sections["notify"] { policy.notify = try readNotify(notifyNode) }
        return policy
    }

    static func readExport(_ node: PolicyNode) throws(PolicyError) -> ExportSection {
        let fields = try node.members(allowed: ["redact"])
        var section = ExportSection()
        guard let list = fields["redact"] else { return section }
        guard case .sequence(let items) = list.node else { throw list.invalid("expected a list of {name, pattern}") }
        for (index, item) in items.enumerated() {
            let entry = list.child("[\(index)]", item)
            let members = try entry.members(allowed: ["name", "pattern"])
            guard let nameNode = members["name"] else {
                throw PolicyError.missingField(file: entry.file, field: "\(entry.path).name")
            }
            guard let patternNode = members["pattern"] else {
                throw PolicyError.missingField(file: entry.file, field: "\(entry.path).pattern")
            }
            let name = try nameNode.string()
            guard name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
                throw nameNode.invalid("'\(name)' is not a rule name (lower-case letters, digits and _)")
            }
            guard !section.redact.contains(where: { $0.name == name }) else {
                throw nameNode.invalid("'\(name)' is listed twice")
            }
            let pattern = try patternNode.string()
            do {
                let expression = try NSRegularExpression(pattern: pattern)
                // A pattern that matches the empty text would redact between every character.
                guard expression.firstMatch(in: "", range: NSRange(location: 0, length: 0)) == nil else {
                    throw patternNode.invalid("'\(pattern)' matches the empty text")
                }
            } catch let error as PolicyError {
                throw error
            } catch {
                throw patternNode.invalid("'\(pattern)' is not a valid regular expression (ICU syntax)")
            }
            section.redact.append(RedactionPattern(name: name, pattern: pattern))
        }
        return section
    }

    static func readAgent(_ node: PolicyNode) throws(PolicyError) -> AgentSection {
        let fields = try node.members(allowed: ["name", "baseline_version"])
        guard let name = fields["name"] else { throw .missingField(file: node.file, field: "agent.name") }
        return AgentSection(
            name: try name.value(.name), baselineVersion: try fields["baseline_version"]?.value(.version))
    }

    static func readGate(_ node: PolicyNode) throws(PolicyError) -> GateSection {
        let fields = try node.members(allowed: [
            "confidence", "bootstrap_resamples", "seed", "score_threshold", "pass_k", "inconclusive_blocks",
            "max_unmatched_share", "inspect_scorer", "criteria", "categories",
        ])
        var gate = GateSection()
        if let value = fields["confidence"] { gate.confidence = try value.double(in: 0.5...0.9999) }
        if let value = fields["bootstrap_resamples"] { gate.bootstrapResamples = try value.int(in: 100...1_000_000) }
        if let value = fields["seed"] { gate.seed = UInt64(try value.int(in: 0...Int.max)) }
        if let value = fields["score_threshold"] { gate.scoreThreshold = try value.double(in: 0...1) }
        if let value = fields["pass_k"] { gate.passK = try value.int(in: 1...100) }
        if let value = fields["inconclusive_blocks"] { gate.inconclusiveBlocks = try value.bool() }
        if let value = fields["max_unmatched_share"] { gate.maxUnmatchedShare = try value.double(in: 0...1) }
        if let value = fields["inspect_scorer"] { gate.inspectScorer = try value.string() }
        if let criteria = fields["criteria"] {
            let members = try criteria.members(allowed: [
                "success_rate", "pass_hat_k", "cost_per_task", "latency_p95_ms", "unauthorized_actions",
            ])
            if let node = members["success_rate"] { gate.successRate = try readDifference(node, gate.successRate) }
            if let node = members["pass_hat_k"] { gate.passHatK = try readDifference(node, gate.passHatK) }
            if let node = members["cost_per_task"] { gate.costPerTask = try readRatio(node, gate.costPerTask) }
            if let node = members["latency_p95_ms"] { gate.latencyP95Ms = try readRatio(node, gate.latencyP95Ms) }
            if let node = members["unauthorized_actions"] {
                let fields = try node.members(allowed: ["enabled", "budget"])
                if let value = fields["enabled"] { gate.unauthorizedActions.enabled = try value.bool() }
                if let value = fields["budget"] { gate.unauthorizedActions.budget = try value.int(in: 0...1_000_000) }
            }
        }
        if let categories = fields["categories"] {
            let members = try categories.members(allowed: ["min_tasks", "on_regression"])
            if let value = members["min_tasks"] { gate.categories.minTasks = try value.int(in: 1...1_000_000) }
            if let value = members["on_regression"] {
                gate.categories.onRegression = try value.oneOf(RegressionHandling.self)
            }
        }
        return gate
    }

    static func readRollout(_ node: PolicyNode) throws(PolicyError) -> RolloutSection {
        let fields = try node.members(allowed: [
            "mode", "steps", "drain_timeout", "dark_header", "ab_match", "conversation_header",
            "pin_cookie", "pin_header", "host", "namespace", "port", "listen", "gateway", "aws_listener_arn",
            "baseline", "candidate", "shadow",
        ])
        var rollout = RolloutSection()
        if let value = fields["mode"] {
            rollout.mode = RolloutMode(rawValue: try value.oneOf(RolloutMode.allCases.map(\.rawValue))) ?? .canary
        }
        if let value = fields["steps"] { rollout.steps = try readSteps(value) }
        if let value = fields["drain_timeout"] { rollout.drainTimeoutSeconds = try value.duration() }
        if let value = fields["dark_header"] {
            let header = try value.members(allowed: ["name", "value"])
            if let name = header["name"] { rollout.darkHeader.name = try name.headerName() }
            if let text = header["value"] { rollout.darkHeader.value = try text.value(.matchValue) }
        }
        if let value = fields["ab_match"] {
            guard case .sequence(let items) = value.node else { throw value.invalid("expected a list of rules") }
            rollout.abMatches = try items.enumerated().map { (index, item) throws(PolicyError) in
                let rule = value.child("[\(index)]", item)
                let members = try rule.members(allowed: ["header", "cookie", "value"])
                guard let value = members["value"] else {
                    throw PolicyError.missingField(file: rule.file, field: "\(rule.path).value")
                }
                switch (members["header"], members["cookie"]) {
                case (let header?, nil):
                    return MatchRule(kind: "header", name: try header.headerName(), value: try value.value(.matchValue))
                case (nil, let cookie?):
                    return MatchRule(kind: "cookie", name: try cookie.headerName(), value: try value.value(.matchValue))
                default: throw rule.invalid("a rule names exactly one of 'header' or 'cookie'")
                }
            }
        }
        if let value = fields["conversation_header"] { rollout.conversationHeader = try value.headerName() }
        if let value = fields["pin_cookie"] { rollout.pinCookie = try value.headerName() }
        if let value = fields["pin_header"] { rollout.pinHeader = try value.headerName() }
        if let value = fields["host"] { rollout.host = try value.value(.host) }
        if let value = fields["namespace"] { rollout.namespace = try value.value(.name) }
        if let value = fields["port"] { rollout.port = try value.int(in: 1...65535) }
        if let value = fields["listen"] { rollout.listen = try value.value(.address) }
        if let value = fields["gateway"] { rollout.gateway = try value.value(.name) }
        if let value = fields["aws_listener_arn"] { rollout.awsListenerArn = try value.value(.resource) }
        if let value = fields["baseline"] { rollout.baseline = try readBackend(value, rollout.baseline) }
        if let value = fields["candidate"] { rollout.candidate = try readBackend(value, rollout.candidate) }
        if let value = fields["shadow"] { rollout.shadow = try readBackend(value, rollout.shadow) }
        return rollout
    }

    static func readSteps(_ node: PolicyNode) throws(PolicyError) -> [RolloutStep] {
        guard case .sequence(let items) = node.node, !items.isEmpty else {
            throw node.invalid("expected a non-empty list of steps")
        }
        var steps: [RolloutStep] = []
        for (index, item) in items.enumerated() {
            let step = node.child("[\(index)]", item)
            let fields = try step.members(allowed: ["weight", "min_tasks", "min_duration"])
            guard let weightNode = fields["weight"] else {
                throw PolicyError.missingField(file: step.file, field: "\(step.path).weight")
            }
            let weight = try weightNode.int(in: 1...100)
            if let previous = steps.last, weight <= previous.weight {
                throw weightNode.invalid("weights must increase: \(weight) follows \(previous.weight)")
            }
            steps.append(
                RolloutStep(
                    weight: weight, minTasks: try fields["min_tasks"]?.int(in: 0...100_000_000) ?? 0,
                    minDurationSeconds: try fields["min_duration"]?.duration() ?? 0))
        }
        return steps
    }

    static func readBackend(_ node: PolicyNode, _ current: Backend) throws(PolicyError) -> Backend {
        var backend = current
        let fields = try node.members(allowed: ["service", "address", "aws_target_group_arn", "gcp_backend_service"])
        if let value = fields["service"] { backend.service = try value.value(.name) }
        if let value = fields["address"] { backend.address = try value.value(.address) }
        if let value = fields["aws_target_group_arn"] { backend.awsTargetGroupArn = try value.value(.resource) }
        if let value = fields["gcp_backend_service"] { backend.gcpBackendService = try value.value(.resource) }
        return backend
    }

    static func readDifference(_ node: PolicyNode, _ current: DifferenceCriterion) throws(PolicyError)
        -> DifferenceCriterion
    {
        var criterion = current
        let fields = try node.members(allowed: ["enabled", "margin"])
        if let value = fields["enabled"] { criterion.enabled = try value.bool() }
        if let value = fields["margin"] { criterion.margin = try value.double(in: 0...1) }
        return criterion
    }

    static func readRatio(_ node: PolicyNode, _ current: RatioCriterion) throws(PolicyError) -> RatioCriterion {
        var criterion = current
        let fields = try node.members(allowed: ["enabled", "max_ratio"])
        if let value = fields["enabled"] { criterion.enabled = try value.bool() }
        if let value = fields["max_ratio"] { criterion.maxRatio = try value.double(in: 1...100) }
        return criterion
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: 1
        }
    }

    static func reasonText(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        default: String(describing: error)
        }
    }
}

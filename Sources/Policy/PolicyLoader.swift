import Artifacts
import Foundation
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
}

/// Reads and validates release policy files.
package enum PolicyLoader {
    static let topLevelKeys = ["agent", "gate", "rollout", "monitor", "export"]

    /// Loads the policy at `path`, or the defaults for `agentName` when `path` is `nil`.
    package static func load(path: String?, agentName: String?) throws(PolicyError) -> LoadedPolicy {
        guard let path else {
            return LoadedPolicy(policy: ReleasePolicy(agent: AgentSection(name: agentName ?? "")), source: nil)
        }
        guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(path: path) }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw .syntax(file: path, line: 1, reason: "the file is not UTF-8 text")
        }
        var policy = try parse(text, file: path)
        if let agentName { policy.agent.name = agentName }
        return LoadedPolicy(policy: policy, source: InputFile(path: path, sha256: Digest.sha256(data), role: "policy"))
    }

    /// Parses a policy from YAML or JSON text; `file` names it in errors.
    package static func parse(_ text: String, file: String) throws(PolicyError) -> ReleasePolicy {
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
        for name in ["rollout", "monitor", "export"] {
            if let section = sections[name], section.node.mapping == nil {
                throw section.invalid("expected a mapping, found \(section.kind)")
            }
        }
        return policy
    }

    static func readAgent(_ node: PolicyNode) throws(PolicyError) -> AgentSection {
        let fields = try node.members(allowed: ["name", "baseline_version"])
        guard let name = fields["name"] else { throw .missingField(file: node.file, field: "agent.name") }
        return AgentSection(name: try name.string(), baselineVersion: try fields["baseline_version"]?.string())
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
                gate.categories.onRegression = try value.oneOf(["fail", "warn"])
            }
        }
        return gate
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

import Foundation
import Policy
import PolicyFiles
import Testing
import Vocabulary

@Suite("Release policy")
struct PolicyTests {
    @Test("a full gate section is read")
    func fullPolicy() throws {
        let policy = try PolicyLoader.parse(
            """
            agent:
              name: support-agent
              baseline_version: "1.4.0"
            gate:
              confidence: 0.9
              bootstrap_resamples: 500
              seed: 9
              score_threshold: 0.7
              pass_k: 2
              inconclusive_blocks: false
              max_unmatched_share: 0.1
              criteria:
                success_rate: {margin: 0.05}
                cost_per_task: {max_ratio: 1.2, enabled: false}
                unauthorized_actions: {budget: 2}
              categories: {min_tasks: 5, on_regression: warn}
            rollout: {}
            """, file: "canary.yaml")
        #expect(policy.agent.name == "support-agent")
        #expect(policy.agent.baselineVersion == "1.4.0")
        #expect(policy.gate.confidence == 0.9)
        #expect(policy.gate.bootstrapResamples == 500)
        #expect(policy.gate.seed == 9)
        #expect(policy.gate.passK == 2)
        #expect(!policy.gate.inconclusiveBlocks)
        #expect(policy.gate.successRate.margin == 0.05)
        #expect(policy.gate.costPerTask == RatioCriterion(enabled: false, maxRatio: 1.2))
        #expect(policy.gate.unauthorizedActions.budget == 2)
        #expect(policy.gate.categories == CategoryRule(minTasks: 5, onRegression: .warn))
        #expect(policy.gate.latencyP95Ms == GateSection().latencyP95Ms)
    }

    @Test("the OTLP mapping is read, and a policy without the new settings keeps its stored form")
    func otlpMapping() throws {
        let policy = try PolicyLoader.parse(
            """
            agent: {name: a}
            monitor:
              otlp:
                success_evaluation: task_success
                judge_evaluation: helpfulness
                satisfaction_evaluation: user_rating
                evaluation_wait: 90s
                approval_required: [refund, cancel_order]
                task_span: support_ticket
                conversation_attribute: app.conversation
                version_attribute: app.release
                request_attribute: app.request
                shadow_attribute: http.request.header.x-mirrored
                shadow_value: "1"
            """, file: "canary.yaml")
        let otlp = policy.monitor.otlp
        #expect(otlp.judgeEvaluation == "helpfulness" && otlp.satisfactionEvaluation == "user_rating")
        #expect(otlp.evaluationWaitSeconds == 90)
        #expect(otlp.approvalRequired == ["refund", "cancel_order"])
        #expect(otlp.taskSpan == "support_ticket" && otlp.conversationAttribute == "app.conversation")
        #expect(otlp.versionAttribute == "app.release" && otlp.requestAttribute == "app.request")
        #expect(otlp.shadowAttribute == "http.request.header.x-mirrored" && otlp.shadowValue == "1")
        // Stored looks carry the mapping: one written before these settings existed reads as the defaults,
        // and the defaults are written as before (the policy's effective hash does not change).
        let old = #"{"authorizationAttribute":"agent_canary.tool.authorized","categoryAttribute":"c"}"#
        let decoded = try JSONDecoder().decode(OTLPMapping.self, from: Data(old.utf8))
        #expect(decoded.approvalRequired.isEmpty && decoded.evaluationWaitSeconds == 120 && decoded.taskSpan == nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(decoded), as: UTF8.self) == old)
    }

    @Test("the monitor's method, spending function and covariate are read; a stored policy without them is mSPRT")
    func sequentialMethod() throws {
        let policy = try PolicyLoader.parse(
            """
            agent: {name: a}
            monitor: {method: group-sequential, spending: pocock, adjust_for: category}
            """, file: "canary.yaml")
        #expect(policy.monitor.method == .groupSequential)
        #expect(policy.monitor.spending == .pocock)
        #expect(policy.monitor.adjustFor == .category)
        // A new policy is group-sequential; one stored before the choice has no method and stays mSPRT.
        #expect(MonitorSection().method == .groupSequential)
        var old = MonitorSection()
        old.method = nil
        let stored = try JSONDecoder().decode(MonitorSection.self, from: JSONEncoder().encode(old))
        #expect(stored.method == nil && stored.spending == nil && stored.adjustFor == nil)
        #expect(
            throws: PolicyError.invalidField(
                file: "p.yaml", line: 2, field: "monitor.adjust_for", reason: "'tier' is not one of: category")
        ) { try PolicyLoader.parse("agent: {name: a}\nmonitor: {adjust_for: tier}\n", file: "p.yaml") }
    }

    @Test("JSON policies are read too")
    func json() throws {
        let policy = try PolicyLoader.parse(#"{"agent": {"name": "a"}, "gate": {"pass_k": 4}}"#, file: "p.json")
        #expect(policy.gate.passK == 4)
    }

    @Test(
        "errors name the file, line and field",
        arguments: [
            (
                "agent:\n  name: a\ngate:\n  confidance: 0.9\n",
                PolicyError.unknownField(
                    file: "p.yaml", line: 4, field: "gate.confidance",
                    allowed: [
                        "confidence", "bootstrap_resamples", "seed", "score_threshold", "pass_k", "inconclusive_blocks",
                        "max_unmatched_share", "inspect_scorer", "criteria", "categories",
                    ])
            ),
            (
                "agent:\n  name: a\ngate:\n  confidence: high\n",
                PolicyError.invalidField(
                    file: "p.yaml", line: 4, field: "gate.confidence", reason: "expected a number, found 'high'")
            ),
            (
                "agent:\n  name: a\ngate:\n  criteria:\n    success_rate:\n      margin: 2\n",
                PolicyError.invalidField(
                    file: "p.yaml", line: 6, field: "gate.criteria.success_rate.margin",
                    reason: "2.0 is outside the allowed range 0.0...1.0")
            ),
            ("gate: {}\n", PolicyError.missingField(file: "p.yaml", field: "agent")),
            ("agent: {}\n", PolicyError.missingField(file: "p.yaml", field: "agent.name")),
            (
                "agent: {name: a}\nmonitor:\n  otlp:\n    shadow_value: x\n",
                PolicyError.invalidField(
                    file: "p.yaml", line: 4, field: "monitor.otlp.shadow_value",
                    reason: "shadow_value needs shadow_attribute (the attribute whose value it is)")
            ),
            (
                "agent:\n  name: [a\n",
                PolicyError.syntax(file: "p.yaml", line: 3, reason: "did not find expected ',' or ']'")
            ),
        ])
    func errors(text: String, expected: PolicyError) {
        #expect(throws: expected) { try PolicyLoader.parse(text, file: "p.yaml") }
    }

    @Test("a missing policy file is reported as missing")
    func missing() {
        #expect(throws: PolicyError.missingFile(path: "nowhere.yaml")) {
            try PolicyLoader.load(path: "nowhere.yaml", agentName: nil)
        }
    }
}

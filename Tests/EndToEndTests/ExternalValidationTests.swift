import Foundation
import TestSupport
import Testing

/// The repository's examples, golden outputs and pipeline files, checked by `Tests/Validation/validate` with
/// the schemas and tools their consumers use; and the validators themselves, shown to refuse what their
/// consumers refuse.
@Suite("Files against their consumers' validators", .requires(.pythonEnvironment, .nginx, .promtool))
struct ExternalValidationTests {
    /// Every schema's examples and the golden outputs of the same kind (JSONL files line by line).
    static let bySchema: [(schema: String, files: [String])] = [
        (
            "policy",
            [
                "schemas/examples/canary.yaml", "pipelines/local/example/canary.yaml",
                "Tests/Fixtures/canary.yaml", "Tests/Fixtures/rollout.yaml",
            ]
        ),
        ("rollout", ["schemas/examples/rollout.json"]),
        ("notification", ["schemas/examples/notification.json"]),
        ("agent-event", ["schemas/examples/agent-events.json"]),
        (
            "benchmark-results",
            [
                "schemas/examples/benchmark-results.json",
                "Tests/Golden/feedback-export/benchmark-tasks/all.jsonl",
            ]
        ),
        ("gate-result", ["schemas/examples/gate-result.json", "Tests/Golden/gate-result.json"]),
        ("analysis", ["schemas/examples/analysis.json", "Tests/Golden/monitor/analysis.json"]),
        (
            "feedback-record",
            [
                "schemas/examples/feedback-record.json",
                "Tests/Golden/feedback-export/native/train.jsonl",
            ]
        ),
        (
            "dataset-manifest",
            ["schemas/examples/dataset-manifest.json"]
                + ["benchmark-tasks", "csv", "native", "openai-dpo", "openai-sft", "trl-preference"].map {
                    "Tests/Golden/feedback-export/\($0)/manifest.json"
                }
        ),
    ]

    @Test("every schema example and golden artifact validates against its schema")
    func artifacts() throws {
        let examples = try FileManager.default.contentsOfDirectory(atPath: Repository.path("schemas/examples"))
        let covered = Set(Self.bySchema.flatMap(\.files).filter { $0.hasPrefix("schemas/examples/") })
        #expect(Set(examples.map { "schemas/examples/\($0)" }) == covered, "an example without a schema check")
        for (schema, files) in Self.bySchema {
            let result = try Validator.check(
                "json-schema", [Repository.path("schemas/\(schema).schema.json")] + files.map(Repository.path))
            #expect(result.status == 0, "\(schema): \(result.output)")
        }
    }

    @Test("JUnit reports, the metrics text and the pipeline files validate for their kinds")
    func reportsAndPipelines() throws {
        for (kind, files) in [
            (
                "junit",
                [
                    "Tests/Golden/gate-junit.xml",
                    "Tests/Golden/monitor/analysis-junit.xml",
                    "Tests/Golden/feedback-export/native-junit.xml",
                ]
            ),
            ("prometheus-text", ["Tests/Golden/monitor/canary.prom"]),
            ("github-action", ["pipelines/github/action.yml"]),
            ("github-workflow", ["pipelines/github/agent-canary-release.yml"]),
            ("gitlab-ci", ["pipelines/gitlab/.gitlab-ci.yml"]),
            ("datadog-dashboard", ["pipelines/datadog/agent-canary-dashboard.json"]),
            (
                "argo-analysistemplate",
                [
                    "pipelines/argo-rollouts/analysis-template.yaml",
                    "pipelines/argo-rollouts/kayenta-analysis-template.yaml",
                ]
            ),
            ("argo-rollout", ["pipelines/argo-rollouts/rollout.yaml", "pipelines/argo-rollouts/rollout-kayenta.yaml"]),
            ("flagger-canary", ["pipelines/flagger/canary.yaml"]),
            ("flagger-metrictemplate", ["pipelines/flagger/metric-template.yaml"]),
        ] {
            let result = try Validator.check(kind, files.map(Repository.path))
            #expect(result.status == 0, "\(kind): \(result.output)")
        }
    }

    @Test(
        "Flagger's metric template is PromQL that Prometheus parses, over counters monitor serve exports",
        .requires(.promtool))
    func flaggerQuery() throws {
        let template = try String(
            contentsOfFile: Repository.path("pipelines/flagger/metric-template.yaml"), encoding: .utf8)
        let query = try #require(template.components(separatedBy: "query: |\n").last)
        // Flagger's own substitutions, as it makes them before querying.
        let expression = query.replacingOccurrences(of: "{{ variables.agent }}", with: "support-agent")
            .replacingOccurrences(of: "{{ variables.version }}", with: "1.5.0")
            .replacingOccurrences(of: "{{ interval }}", with: "1m")
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        #expect(!expression.contains("{{"))
        let directory = try TemporaryDirectory()
        let rules = try directory.write(
            "rules.yaml",
            "groups:\n  - name: flagger\n    rules:\n      - record: agent_canary:rogue_rate\n        expr: '\(expression)'\n"
        )
        let checked = try runCommand(try ExternalTool.promtool.require(), ["check", "rules", rules])
        #expect(checked.status == 0, "\(checked.output)")
        // The counters it reads are the ones monitor serve's /metrics names (IntakeMetrics).
        let metrics = try String(contentsOfFile: Repository.path("Sources/Intake/IntakeMetrics.swift"), encoding: .utf8)
        for name in ["live_rogue_actions", "live_tasks"] {
            #expect(expression.contains("agent_canary_\(name)_total") && metrics.contains("counter(\"\(name)\""))
        }
    }

    /// A valid file, and the same file with one field its consumer does not know (or one broken line).
    struct Mutation: Sendable, CustomTestStringConvertible {
        let kind: String
        let file: String
        let replace: String
        let with: String

        var testDescription: String { "\(kind): \(with.trimmingCharacters(in: .whitespacesAndNewlines))" }
    }

    static let mutations: [Mutation] = [
        Mutation(
            kind: "istio-virtualservice", file: "Tests/Golden/routing/istio/canary/virtualservice.yaml",
            replace: "spec:\n",
            with: "spec:\n  weights: 3\n"),
        Mutation(
            kind: "istio-destinationrule", file: "Tests/Golden/routing/istio/canary/destinationrule.yaml",
            replace: "spec:\n", with: "spec:\n  subsetz: []\n"),
        Mutation(
            kind: "httproute", file: "Tests/Golden/routing/gateway-api/canary/httproute.yaml", replace: "spec:\n",
            with: "spec:\n  sessionPersistence: {sessionName: agent-version}\n"),
        Mutation(
            kind: "gcp-urlmap", file: "Tests/Golden/routing/gcp/canary/urlmap.yaml", replace: "name: support-agent\n",
            with: "name: support-agent\nstickiness: true\n"),
        Mutation(
            kind: "apisix-traffic-split", file: "Tests/Golden/routing/apisix/canary/apisix-traffic-split.json",
            replace: "\"weight\": 25", with: "\"weight\": 25, \"priority\": 1"),
        Mutation(
            kind: "aws-alb-listener", file: "Tests/Golden/routing/aws-alb/canary/modify-listener.json",
            replace: "\"ListenerArn\"", with: "\"Stickiness\": true, \"ListenerArn\""),
        Mutation(
            kind: "aws-alb-rule", file: "Tests/Golden/routing/aws-alb/canary/create-rule-01-pin-header-candidate.json",
            replace: "\"ListenerArn\"", with: "\"Weight\": 5, \"ListenerArn\""),
        Mutation(
            kind: "nginx", file: "Tests/Golden/routing/nginx/canary/nginx.conf", replace: "http {",
            with: "http {\n    sticky cookie agent-version;"),
        Mutation(
            kind: "junit", file: "Tests/Golden/gate-junit.xml", replace: "<testsuite name=",
            with: "<testsuite flaky=\"0\" name="),
        Mutation(
            kind: "prometheus-text", file: "Tests/Golden/monitor/canary.prom", replace: "# HELP",
            with: "agent_canary_broken{arm=\"candidate\" 1\n# HELP"),
        Mutation(
            kind: "github-workflow", file: "pipelines/github/agent-canary-release.yml", replace: "\non:",
            with: "\ntimeout: 30\non:"),
        Mutation(
            kind: "github-action", file: "pipelines/github/action.yml", replace: "name: AgentCanary stage\n",
            with: "name: AgentCanary stage\nversion: 2\n"),
        Mutation(
            kind: "gitlab-ci", file: "pipelines/gitlab/.gitlab-ci.yml", replace: "default:\n",
            with: "default:\n  timeout_minutes: 30\n"),
        Mutation(
            kind: "datadog-dashboard", file: "pipelines/datadog/agent-canary-dashboard.json",
            replace: "\"type\": \"toplist\",", with: "\"type\": \"toplist\", \"sort_by\": \"value\","),
        Mutation(
            kind: "argo-analysistemplate", file: "pipelines/argo-rollouts/analysis-template.yaml",
            replace: "          jsonPath:", with: "          jsonpath: \"{$.decision}\"\n          jsonPath:"),
        Mutation(
            kind: "argo-rollout", file: "pipelines/argo-rollouts/rollout.yaml", replace: "        startingStep: 1\n",
            with: "        startingStep: 1\n        backgroundAnalysis: true\n"),
        Mutation(
            kind: "flagger-canary", file: "pipelines/flagger/canary.yaml", replace: "    stepWeight: 10\n",
            with: "    stepWeight: 10\n    stepInterval: 1m\n"),
        Mutation(
            kind: "flagger-metrictemplate", file: "pipelines/flagger/metric-template.yaml",
            replace: "    type: prometheus\n", with: "    type: prometheus\n    timeout: 5s\n"),
    ]

    @Test("each validator accepts the file and refuses it with one unknown field", arguments: mutations)
    func strict(_ mutation: Mutation) throws {
        let source = Repository.path(mutation.file)
        let text = try String(contentsOfFile: source, encoding: .utf8)
        #expect(text.contains(mutation.replace), "the mutation's anchor is gone from \(mutation.file)")
        let directory = try TemporaryDirectory()
        let name = (source as NSString).lastPathComponent
        let valid = try directory.write("valid/\(name)", text)
        let invalid = try directory.write(
            "invalid/\(name)", text.replacingOccurrences(of: mutation.replace, with: mutation.with))
        let accepted = try Validator.check(mutation.kind, [valid])
        #expect(accepted.status == 0, "\(accepted.output)")
        let refused = try Validator.check(mutation.kind, [invalid])
        #expect(refused.status == 1, "\(refused.output)")
    }

    @Test("a JSONL file is checked line by line, and the error names the line")
    func jsonLines() throws {
        let directory = try TemporaryDirectory()
        let golden = try String(
            contentsOfFile: Repository.path("Tests/Golden/feedback-export/native/train.jsonl"),
            encoding: .utf8)
        var lines = golden.split(separator: "\n").map(String.init)
        try #require(lines.count >= 3)
        lines[1] = lines[1].replacingOccurrences(of: "\"arm\":\"", with: "\"arm\":\"both-")
        #expect(lines[1] != golden.split(separator: "\n")[1].description)
        let file = try directory.write("train.jsonl", lines.joined(separator: "\n") + "\n")
        let result = try Validator.check("json-schema", [Repository.path("schemas/feedback-record.schema.json"), file])
        #expect(result.status == 1)
        #expect(result.output.contains("train.jsonl:2"), "\(result.output)")
        #expect(!result.output.contains("train.jsonl:1.") && !result.output.contains("train.jsonl:3"))
    }

    @Test("usage errors and missing files exit 2")
    func usage() throws {
        #expect(try Validator.check("no-such-kind", [Repository.path("README.md")]).status == 2)
        #expect(try Validator.check("junit", ["/nonexistent/junit.xml"]).status == 2)
        #expect(try runCommand(Validator.path, []).status == 2)
    }
}

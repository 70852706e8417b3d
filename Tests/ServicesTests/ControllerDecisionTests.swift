import Foundation
import TestSupport
import Testing

/// `monitor serve` answering rollout controllers: its own decisions API as Argo Rollouts' `web` metric provider
/// calls it, the Kayenta API as Argo's `kayenta` provider calls it (the request and answers checked against
/// Argo's and Kayenta's own shapes, `Tests/Fixtures/kayenta`), and Flagger's webhooks. Every run is started with
/// `--router external` and judged only from what the server received.
@Suite("monitor serve: decisions for Argo Rollouts, Kayenta and Flagger", .tags(.services), .notInFastPath, .serialized)
struct ControllerDecisionTests {
    static let policy = """
        agent: {name: support-agent}
        rollout:
          steps: [{weight: 50, min_tasks: 300}, {weight: 100, min_tasks: 300}]

        """
    /// Three batches of simulated conversations at 50 %: the first two too few to decide, the third enough to
    /// show the good candidate non-inferior.
    static let batches = [
        (200, "a", "2026-11-26T00:01:00Z"), (200, "b", "2026-11-26T00:05:00Z"), (12000, "c", "2026-11-26T00:10:00Z"),
    ]

    typealias Server = IntakeServiceTests.Server

    /// A started run (router `external`), its token file and a server on it.
    static func started(_ arguments: [String] = []) throws -> (TemporaryDirectory, String, Server) {
        let directory = try TemporaryDirectory()
        let runId = try LoopFixtures.startedRun(in: directory, policy: policy, router: "external")
        _ = try directory.write("token", "s3cret-token\n")
        let server = try Server(directory, arguments: ["--token-file", "token"] + arguments)
        return (directory, runId, server)
    }

    /// Simulates batch `index` and posts it to `/v1/events`.
    static func send(batch index: Int, to server: Server, in directory: TemporaryDirectory) throws {
        let (conversations, prefix, start) = batches[index]
        try LoopFixtures.simulate(
            [
                "--scenario", "good", "--conversations", "\(conversations)", "--weight", "50", "--start", start,
                "--rate", "20", "--id-prefix", prefix, "--out", "batch-\(prefix).jsonl",
            ], in: directory)
        let posted = try IntakeServiceTests.post(
            "\(server.base)/v1/events?agent=support-agent",
            body: try Data(contentsOf: URL(fileURLWithPath: directory.path("batch-\(prefix).jsonl"))),
            headers: ["Content-Type: application/x-ndjson", auth], in: directory)
        #expect(posted.status == 200, "\(String(decoding: posted.body, as: UTF8.self))")
    }

    static let auth = "Authorization: Bearer s3cret-token"

    static func request(
        _ method: String, _ url: String, body: String? = nil, headers: [String] = [auth]
    ) throws -> (status: Int, json: Any?, text: String) {
        var arguments = ["-s", "-X", method, "-w", "\n%{http_code}", url] + headers.flatMap { ["-H", $0] }
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        let result = try runCommand(try ExternalTool.curl.require(), arguments)
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        let text = lines.dropLast().joined(separator: "\n")
        return (Int(lines.last ?? "") ?? 0, try? JSONSerialization.jsonObject(with: Data(text.utf8)), text)
    }

    /// Argo's `web` provider: the answer's `{$.decision}`, judged by `pipelines/argo-rollouts`'s template conditions
    /// (successCondition promote or continue, failureCondition rollback, anything else Inconclusive).
    static func argoPhase(_ decision: String) -> String {
        switch decision {
        case "promote", "continue": "Successful"
        case "rollback": "Failed"
        default: "Inconclusive"
        }
    }

    /// Whether `actual` holds every key path of `expected`, each with a value of the same JSON type.
    static func sameShape(_ expected: Any, _ actual: Any) -> Bool {
        switch expected {
        case let object as [String: Any]:
            guard let other = actual as? [String: Any] else { return false }
            return object.allSatisfy { key, value in other[key].map { sameShape(value, $0) } ?? false }
        case is String: return actual is String
        case is NSNumber: return actual is NSNumber
        case is [Any]: return actual is [Any]
        default: return true
        }
    }

    @Test(
        "Argo's web provider drives a run over HTTP: continue, continue, promote; one look for concurrent requests; a look that acts",
        .requires(.curl, .sqlite3))
    func argoWebProvider() throws {
        let (directory, runId, server) = try Self.started()
        let current = try Self.request(
            "GET", "\(server.base)/v1/agents/support-agent/runs/current?candidate_version=1.5.0")
        #expect(current.status == 200)
        let found = current.json as? [String: Any]
        #expect(found?["run_id"] as? String == runId)
        #expect(found?["baseline_version"] as? String == "1.4.0" && found?["router"] as? String == "external")
        #expect(
            try Self.request("GET", "\(server.base)/v1/agents/support-agent/runs/current?candidate_version=9").status
                == 404)
        #expect(try Self.request("POST", "\(server.base)/v1/runs/\(runId)/looks", headers: []).status == 401)
        #expect(try Self.request("GET", "\(server.base)/v1/runs/\(runId)/decision").status == 404)

        var decisions: [String] = []
        var lookIds: [Int] = []
        for index in Self.batches.indices {
            try Self.send(batch: index, to: server, in: directory)
            // The last look also acts, as `monitor analyze --act` would.
            let act = index == Self.batches.count - 1 ? "?act=true" : ""
            let look = try Self.request("POST", "\(server.base)/v1/runs/\(runId)/looks\(act)")
            #expect(look.status == 200, "\(look.text)")
            let analysis = look.json as? [String: Any]
            decisions.append(analysis?["decision"] as? String ?? "")
            lookIds.append(analysis?["look_id"] as? Int ?? 0)
        }
        #expect(decisions == ["continue", "continue", "promote"])
        #expect(decisions.map(Self.argoPhase) == ["Successful", "Successful", "Successful"])

        // The latest look's decision, as a controller that only reads reads it.
        let decision = try Self.request("GET", "\(server.base)/v1/runs/\(runId)/decision")
        let latest = decision.json as? [String: Any]
        #expect(latest?["decision"] as? String == "promote" && latest?["look_id"] as? Int == lookIds.last)
        #expect(latest?["step"] as? Int == 1 && latest?["weight"] as? Int == 50)  // judged at the step it acted on
        #expect(latest?["more_candidate_tasks_needed"] as? Int == 0)
        #expect((latest?["reasons"] as? [String])?.isEmpty == false)
        // The acting look advanced the run, by the monitor, with rollout.json beside its analysis; the same
        // analysis is no evidence for another transition.
        let rollout =
            try JSONSerialization.jsonObject(
                with: Data(
                    contentsOf: URL(fileURLWithPath: directory.path("agent-canary-out/serve/\(runId)/rollout.json"))))
            as? [String: Any]
        #expect(rollout?["phase"] as? String == "progressing" && rollout?["weight"] as? Int == 100)
        let last = (rollout?["history"] as? [[String: Any]])?.last
        #expect(last?["command"] as? String == "advance" && last?["actor"] as? String == "monitor")
        let again = try Tool.run(
            "canary-deploy",
            [
                "promote", "--run", runId, "--analysis", "agent-canary-out/serve/\(runId)/analysis.json", "--ledger",
                "ledger.sqlite", "--out-dir", "out",
            ], in: directory.url)
        #expect(again.status == 1, "\(again.stderr)")
        // The look is the ledger's: rejudged from what it stored, the same judgement.
        let rejudged = try Tool.run(
            "monitor", ["rejudge", "--look", "\(lookIds.last ?? 0)", "--ledger", "ledger.sqlite"], in: directory.url)
        #expect(rejudged.status == 0, "\(rejudged.stdout)\(rejudged.stderr)")

        // Two requests at once take one look.
        let concurrent = try (0..<2).map { index in
            let sender = Process()
            sender.executableURL = URL(fileURLWithPath: try ExternalTool.curl.require())
            sender.arguments = [
                "-s", "-X", "POST", "-H", Self.auth, "-o", directory.path("concurrent-\(index).json"),
                "\(server.base)/v1/runs/\(runId)/looks",
            ]
            try sender.run()
            return sender
        }
        for process in concurrent { process.waitUntilExit() }
        let concurrentIds = try (0..<2).map { index in
            let data = try Data(contentsOf: URL(fileURLWithPath: directory.path("concurrent-\(index).json")))
            return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["look_id"] as? Int
        }
        #expect(concurrentIds[0] != nil && concurrentIds[0] == concurrentIds[1])
        #expect(try IntakeServiceTests.scalar("SELECT count(*) FROM monitor_looks", in: directory) == 4)

        // An unknown run is 404; a run that is no longer progressing is 409.
        #expect(try Self.request("POST", "\(server.base)/v1/runs/no-such-run/looks").status == 404)
        let rollback = try Tool.run(
            "canary-deploy",
            ["rollback", "--run", runId, "--reason", "test", "--ledger", "ledger.sqlite", "--out-dir", "out"],
            environment: LoopFixtures.environment, in: directory.url)
        #expect(rollback.status == 0, "\(rollback.stderr)")
        let refused = try Self.request("POST", "\(server.base)/v1/runs/\(runId)/looks")
        #expect(refused.status == 409)
        #expect(
            ((refused.json as? [String: Any])?["error"] as? [String: Any])?["message"] as? String
                == "run \(runId) is rolled_back, not progressing")
        #expect(try Self.request("GET", "\(server.base)/v1/agents/support-agent/runs/current").status == 404)
        #expect(try IntakeServiceTests.get("\(server.base)/readyz").status == 200)
        #expect(server.terminate().status == 0)
    }

    @Test(
        "Argo's kayenta provider: config lookup, an execution, its score; answers in Kayenta's and Argo's shapes",
        .requires(.curl, .sqlite3, .pythonEnvironment))
    func kayentaProvider() throws {
        let (directory, _, server) = try Self.started(["--open-controller-hooks"])
        let kayenta = "\(server.base)/kayenta"
        // Argo looks the configuration up by name, then posts to its id.
        let lookup = try Self.request(
            "GET", "\(kayenta)/canaryConfig?application=support-agent&configurationAccountName=agent-canary",
            headers: [])
        #expect(lookup.status == 200)
        let configs = lookup.json as? [[String: Any]] ?? []
        let argoConfigs =
            try JSONSerialization.jsonObject(
                with: Data(
                    contentsOf: URL(fileURLWithPath: Repository.path("Tests/Fixtures/kayenta/argo-config-lookup.json")))
            )
            as? [[String: Any]] ?? []
        #expect(configs.count == 1 && Set(configs[0].keys) == Set(argoConfigs[0].keys))
        let configId = configs.first { $0["name"] as? String == "support-agent" }?["id"] as? String ?? ""
        #expect(configId == "support-agent")

        // Argo's own request body, its scopes naming the versions.
        var body = try String(
            contentsOfFile: Repository.path("Tests/Fixtures/kayenta/argo-analysis-request.json"), encoding: .utf8)
        body = body.replacingOccurrences(of: "app=guestbook and rollouts-pod-template-hash=xxxx", with: "1.4.0")
            .replacingOccurrences(of: "app=guestbook and rollouts-pod-template-hash=yyyy", with: "1.5.0")
        let job =
            "\(kayenta)/canary/\(configId)?application=support-agent&metricsAccountName=m&configurationAccountName=c&storageAccountName=s"

        func measure() throws -> (phase: String, status: [String: Any]) {
            let posted = try Self.request("POST", job, body: body, headers: [])
            #expect(posted.status == 200, "\(posted.text)")
            let id = (posted.json as? [String: Any])?["canaryExecutionId"] as? String ?? ""
            #expect(!id.isEmpty)
            let answer = try Self.request("GET", "\(kayenta)/canary/\(id)", headers: [])
            #expect(answer.status == 200)
            let status = answer.json as? [String: Any] ?? [:]
            // Kayenta's model classes accept the answer.
            let file = try directory.write("status-\(id).json", answer.text)
            let checked = try Validator.check(
                "json-schema", [Repository.path("Tests/Fixtures/kayenta/kayenta-execution-status.schema.json"), file])
            #expect(checked.status == 0, "\(checked.output)")
            // Argo's own test answer's fields are there, of the same JSON types.
            let argoAnswer = try JSONSerialization.jsonObject(
                with: Data(
                    contentsOf: URL(fileURLWithPath: Repository.path("Tests/Fixtures/kayenta/argo-score-response.json"))
                ))
            #expect(Self.sameShape(argoAnswer, status), "\(answer.text)")
            // Argo's Resume: `complete`, then int(result.judgeResult.score.score) against pass 90 and marginal 75.
            #expect(status["complete"] as? Bool == true)
            let score = Int(
                ((((status["result"] as? [String: Any])?["judgeResult"] as? [String: Any])?["score"] as? [String: Any])?[
                    "score"] as? Double) ?? -1)
            let phase = score >= 90 ? "Successful" : score >= 75 ? "Inconclusive" : "Failed"
            return (phase, status)
        }

        try Self.send(batch: 0, to: server, in: directory)
        let early = try measure()
        #expect(early.phase == "Inconclusive")
        try Self.send(batch: 1, to: server, in: directory)
        try Self.send(batch: 2, to: server, in: directory)
        let late = try measure()
        #expect(late.phase == "Successful")
        #expect(late.status["status"] as? String == "succeeded")

        // Bad requests get Kayenta's error shape and the server stays up.
        let noScopes = try Self.request(
            "POST", job, body: #"{"scopes": {}, "thresholds": {"pass": 90, "marginal": 75}}"#, headers: [])
        #expect(noScopes.status == 400)
        #expect(
            (noScopes.json as? [String: Any])?["message"] as? String
                == "field 'scopes': a map of at least one scope pair is required")
        let squeezed = try Self.request(
            "POST", job, body: body.replacingOccurrences(of: "\"marginal\": 75", with: "\"marginal\": 90"), headers: [])
        #expect(squeezed.status == 400)
        let otherVersions = try Self.request(
            "POST", job, body: body.replacingOccurrences(of: "1.5.0", with: "2.0.0"), headers: [])
        #expect(otherVersions.status == 404)
        #expect((otherVersions.json as? [String: Any])?["error"] as? String == "Not Found")
        #expect(try Self.request("GET", "\(kayenta)/canary/look-999-pass-90-marginal-75", headers: []).status == 404)
        #expect(try Self.request("GET", "\(kayenta)/canary/not-an-execution", headers: []).status == 404)
        // The /v1 API keeps its token when the controller hooks are open.
        #expect(
            try Self.request("GET", "\(server.base)/v1/agents/support-agent/runs/current", headers: []).status == 401)
        #expect(server.terminate().status == 0)
    }

    @Test(
        "Flagger's webhooks answer by the run's decision; its rollback hook rolls back a rolled-back run",
        .requires(.curl, .sqlite3))
    func flaggerWebhooks() throws {
        let (directory, runId, server) = try Self.started()
        func hook(
            _ name: String, metadata: String = #"{"agent": "support-agent", "candidate_version": "1.5.0"}"#,
            headers: [String] = [Self.auth]
        ) throws -> (Int, String) {
            let payload =
                #"{"name": "support-agent", "namespace": "agents", "phase": "Progressing", "checksum": "5f9c", "metadata": \#(metadata)}"#
            let answer = try Self.request("POST", "\(server.base)/flagger/\(name)", body: payload, headers: headers)
            return (answer.status, answer.text)
        }
        // Without the token (and without --open-controller-hooks) the hooks are refused.
        #expect(try hook("rollback", headers: []).0 == 401)

        try Self.send(batch: 0, to: server, in: directory)
        let waiting = try hook("confirm-traffic-increase")
        #expect(waiting.0 == 403 && waiting.1.hasPrefix("wait: "), "\(waiting)")
        #expect(try hook("rollback").0 == 403)
        try Self.send(batch: 1, to: server, in: directory)
        try Self.send(batch: 2, to: server, in: directory)
        let increase = try hook("confirm-traffic-increase")
        #expect(increase.0 == 200, "\(increase)")
        #expect(try hook("confirm-promotion").0 == 200)
        #expect(try hook("rollback").0 == 403)
        // The Canary's name names the agent when the metadata does not.
        #expect(try hook("confirm-promotion", metadata: "{}").0 == 200)
        #expect(try hook("confirm-promotion", metadata: #"{"agent": "other-agent"}"#).0 == 404)
        let event = try Self.request(
            "POST", "\(server.base)/flagger/event",
            body:
                #"{"name": "support-agent", "namespace": "agents", "phase": "Progressing", "checksum": "5f9c", "metadata": {"eventType": "Normal", "eventMessage": "Advance support-agent.agents canary weight 10", "timestamp": "1796537600000"}}"#
        )
        #expect(event.status == 202)
        #expect(
            try Self.request("POST", "\(server.base)/flagger/rollback", body: #"{"namespace": "agents"}"#).status == 400
        )
        #expect(try Self.request("POST", "\(server.base)/flagger/rollback", body: "not json").status == 400)

        // A person rolls the run back in AgentCanary: Flagger's rollback hook now says roll back.
        let rollback = try Tool.run(
            "canary-deploy",
            ["rollback", "--run", runId, "--reason", "test", "--ledger", "ledger.sqlite", "--out-dir", "out"],
            environment: LoopFixtures.environment, in: directory.url)
        #expect(rollback.status == 0, "\(rollback.stderr)")
        let rolledBack = try hook("rollback")
        #expect(rolledBack.0 == 200 && rolledBack.1.contains("was rolled back"), "\(rolledBack)")
        // Another release of the agent is not this run.
        #expect(try hook("rollback", metadata: #"{"candidate_version": "9.9.9"}"#).0 == 404)
        #expect(try hook("confirm-traffic-increase").0 == 404)
        #expect(server.terminate().status == 0)
    }
}

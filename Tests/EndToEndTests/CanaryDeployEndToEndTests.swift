import Artifacts
import Foundation
import RunLedger
import TestSupport
import Testing
import ToolContract
import Vocabulary

/// Runs the built `canary-deploy` binary: refusals, retries, `--apply`, bad input and CI outputs.
@Suite("canary-deploy end to end")
struct CanaryDeployEndToEndTests {
    static let fixtures = "Tests/Fixtures"

    /// A ledger with a gate of the given fixture, and a policy.
    func prepared(_ scenario: String = "pass", policy: String? = nil) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let gate = try Tool.run(
            "benchmark-gate",
            [
                "--candidate", "\(Self.fixtures)/native/\(scenario)/candidate.jsonl", "--baseline",
                "\(Self.fixtures)/native/\(scenario)/baseline.jsonl", "--agent", "support-agent", "--output",
                directory.path("gate.json"), "--ledger", directory.path("ledger.sqlite"),
            ])
        #expect(gate.status == (scenario == "pass" ? 0 : 1))
        try directory.write(
            "canary.yaml",
            policy ?? "agent:\n  name: support-agent\nrollout:\n  steps: [{weight: 5}, {weight: 50}]\n")
        return directory
    }

    func deploy(_ arguments: [String], _ directory: TemporaryDirectory, environment: [String: String] = [:]) throws
        -> ToolResult
    {
        try Tool.run(
            "canary-deploy",
            arguments + ["--ledger", directory.path("ledger.sqlite"), "--out-dir", directory.path("out")],
            environment: ["SOURCE_DATE_EPOCH": "1795651200"].merging(environment) { $1 })
    }

    func start(_ directory: TemporaryDirectory, extra: [String] = []) throws -> ToolResult {
        try deploy(
            [
                "start", "--gate", directory.path("gate.json"), "--policy", directory.path("canary.yaml"), "--router",
                "nginx",
            ]
                + extra, directory)
    }

    func rollout(_ directory: TemporaryDirectory) throws -> RolloutArtifact {
        try ArtifactCoding.makeDecoder().decode(
            RolloutArtifact.self, from: Data(contentsOf: URL(fileURLWithPath: directory.path("out/rollout.json"))))
    }

    @Test("start after a recorded passing gate; CI outputs; status")
    func startAndStatus() throws {
        let directory = try prepared()
        let result = try start(directory, extra: ["--dotenv", directory.path("deploy.env")])
        #expect(result.status == 0, "\(result.stderr)")
        let artifact = try rollout(directory)
        #expect(artifact.phase == .progressing && artifact.weight == 5 && artifact.step == 1)
        #expect(artifact.history.map(\.command) == [.start])
        #expect(artifact.files.map { ($0.path as NSString).lastPathComponent } == ["nginx.conf", "agent-canary.conf"])
        for file in artifact.files {
            #expect(Digest.sha256(try Data(contentsOf: URL(fileURLWithPath: file.path))) == file.sha256)
        }
        let env = try String(contentsOfFile: directory.path("deploy.env"), encoding: .utf8)
        #expect(env.contains("AGENT_CANARY_PHASE=progressing\n") && env.contains("AGENT_CANARY_WEIGHT=5\n"))
        let status = try Tool.run("canary-deploy", ["status", "--ledger", directory.path("ledger.sqlite")])
        #expect(status.status == 0 && status.stdout.contains("progressing at 5 %"))
    }

    @Test("start refuses a gate that is not a recorded pass, and nothing is written")
    func startRefusals() throws {
        // A failing gate.
        let failed = try prepared("fail")
        let before = try failed.snapshot()
        let refused = try start(failed)
        #expect(refused.status == 1 && refused.stderr.contains("verdict is fail"))
        #expect(try failed.snapshot() == before)
        // A gate file changed after it was recorded.
        let passed = try prepared()
        var text = try String(contentsOfFile: passed.path("gate.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\"verdict\" : \"pass\"", with: "\"verdict\" : \"pass\" ")
        try passed.write("gate.json", text)
        let snapshot = try passed.snapshot()
        let mismatch = try start(passed)
        #expect(mismatch.status == 1 && mismatch.stderr.contains("no gate with SHA-256"))
        #expect(try passed.snapshot() == snapshot)
        // --force --reason overrides, recorded as forced.
        let forced = try start(passed, extra: ["--force", "--reason", "hotfix approved by on-call"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let artifact = try rollout(passed)
        #expect(artifact.history.first?.actor == "forced" && artifact.history.first?.forced == true)
    }

    @Test("another agent's passing gate starts no canary under this agent's policy, even with --force")
    func otherAgent() throws {
        let directory = try prepared(policy: "agent:\n  name: billing-agent\nrollout:\n  steps: [{weight: 5}]\n")
        let before = try directory.snapshot()
        for extra in [[], ["--force", "--reason", "on-call says so"]] {
            let refused = try start(directory, extra: extra)
            #expect(refused.status == 64, "\(refused.stderr)")
            #expect(refused.stderr.contains("the gate judged support-agent, but the policy is billing-agent's"))
        }
        #expect(try directory.snapshot() == before)
    }

    @Test("only the run's latest gate counts: an earlier pass of a run gated again and failed starts nothing")
    func latestGateCounts() throws {
        let directory = try TemporaryDirectory()
        func gate(_ scenario: String, _ output: String) throws -> ToolResult {
            try Tool.run(
                "benchmark-gate",
                [
                    "--candidate", "\(Self.fixtures)/native/\(scenario)/candidate.jsonl", "--baseline",
                    "\(Self.fixtures)/native/\(scenario)/baseline.jsonl", "--agent", "support-agent", "--run-id",
                    "run-regated", "--output", directory.path(output), "--ledger", directory.path("ledger.sqlite"),
                ])
        }
        #expect(try gate("pass", "gate.json").status == 0)
        #expect(try gate("fail", "gate-again.json").status == 1)
        try directory.write("canary.yaml", "agent:\n  name: support-agent\nrollout:\n  steps: [{weight: 5}]\n")
        let before = try directory.snapshot()
        let refused = try start(directory)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("was gated again after this gate"), "\(refused.stderr)")
        #expect(try directory.snapshot() == before)
    }

    @Test("every transition, refusal and retry through the binary")
    func lifecycle() throws {
        let directory = try prepared()
        #expect(try start(directory).status == 0)
        #expect(try start(directory).status == 0)  // a CI retry of start
        let advanced = try deploy(["advance", "--force", "--reason", "step 1 ok"], directory)
        #expect(advanced.status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: directory.path("out/rollout.json")))
        let ledgerBytes = try Data(contentsOf: URL(fileURLWithPath: directory.path("ledger.sqlite")))
        let retried = try deploy(["advance", "--force", "--reason", "step 1 ok"], directory)
        #expect(retried.status == 0 && retried.stdout.contains("retry of the last transition"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.path("out/rollout.json"))) == bytes)
        // A retry writes no row at all.
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.path("ledger.sqlite"))) == ledgerBytes)
        #expect(try deploy(["advance", "--force", "--reason", "again"], directory).status == 64)
        #expect(try deploy(["pause"], directory).status == 0)
        let paused = try deploy(["promote", "--force", "--reason", "ship it"], directory)
        #expect(paused.status == 64 && paused.stderr.contains("paused"))
        #expect(try deploy(["resume"], directory).status == 0)
        #expect(try deploy(["rollback", "--reason", "regression in billing"], directory).status == 0)
        let again = try deploy(["rollback", "--reason", "pipeline cleanup"], directory)
        #expect(again.status == 0 && again.stdout.contains("nothing new was recorded"))
        let after = try deploy(["advance", "--force", "--reason", "no"], directory)
        #expect(after.status == 64 && after.stderr.contains("it has ended"))
        #expect(try deploy(["advance"], directory).status == 64)  // neither --analysis nor --force
        let artifact = try rollout(directory)
        #expect(artifact.history.map(\.command) == [.start, .advance, .pause, .resume, .rollback])
        #expect(artifact.phase == .rolledBack && artifact.drainVersion == "1.5.0")
        #expect(artifact.drainDeadline == "2026-11-26T00:30:00Z")
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        #expect(try ledger.count(table: "rollout_transitions") == 5)
        #expect(try ledger.run(id: artifact.runId)?.status == "rolled_back")
    }

    /// Four processes at once, each with `arguments` (index appended where `distinct`); all must exit 0.
    func parallel(_ directory: TemporaryDirectory, _ arguments: (Int) -> [String]) throws {
        let running = try (1...4).map { index in
            try Tool.start(
                "canary-deploy",
                arguments(index) + ["--ledger", directory.path("ledger.sqlite"), "--out-dir", directory.path("out")],
                environment: ["SOURCE_DATE_EPOCH": "1795651200"])
        }
        for process in running {
            process.process.waitUntilExit()
            let result = process.finish()
            #expect(result.status == 0, "\(result.stderr)")
        }
    }

    @Test("concurrent starts and advances take turns: one start, every advance a step, the transitions chain")
    func concurrentTransitions() throws {
        let directory = try prepared(
            policy: "agent:\n  name: support-agent\nrollout:\n  steps: [{weight: 1}, {weight: 2}, {weight: 3}, "
                + "{weight: 4}, {weight: 5}, {weight: 6}]\n")
        try parallel(directory) { _ in
            [
                "start", "--gate", directory.path("gate.json"), "--policy", directory.path("canary.yaml"), "--router",
                "nginx",
            ]
        }
        try parallel(directory) { index in ["advance", "--force", "--reason", "parallel advance \(index)"] }
        let artifact = try rollout(directory)
        #expect(artifact.history.map(\.command) == [.start, .advance, .advance, .advance, .advance])
        #expect(artifact.weight == 5 && artifact.step == 5)
        let history = artifact.history
        for (previous, next) in zip(history, history.dropFirst()) {
            #expect(next.fromWeight == previous.toWeight, "\(previous) then \(next)")
        }
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        #expect(try ledger.count(table: "rollout_transitions") == 5)
    }

    @Test("a failing --apply exits 69, is recorded as not applied, and the same command retries it")
    func applyFailure() throws {
        let directory = try prepared()
        #expect(try start(directory).status == 0)
        let failed = try deploy(
            [
                "advance", "--force", "--reason", "go", "--apply",
                "cat > /dev/null; echo cluster unreachable >&2; exit 3",
            ],
            directory)
        #expect(failed.status == 69 && failed.stderr.contains("cluster unreachable"))
        #expect(try rollout(directory).applied == "failed")
        let applied = directory.path("applied.conf")
        let retried = try deploy(["advance", "--force", "--reason", "go", "--apply", "cat > \(applied)"], directory)
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(try rollout(directory).applied == "applied")
        #expect(try String(contentsOfFile: applied, encoding: .utf8).contains("split_clients"))
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        #expect(
            try ledger.transitions(runId: try rollout(directory).runId).map(\.applied) == ["not-requested", "applied"])
    }

    @Test(
        "bad input gets its exit status and changes nothing",
        arguments: [
            ("steps: [{weight: 5}, {weight: 50}]", "haproxy", 64, "unknown router 'haproxy'"),
            ("steps: [{weight: 50}, {weight: 5}]", "nginx", 65, "weights must increase"),
            ("steps: [{weight: 5}, {weight: 150}]", "nginx", 65, "outside the allowed range"),
            ("mode: shadow", "aws-alb", 64, "router aws-alb cannot express mirroring"),
        ])
    func badInput(rollout: String, router: String, status: Int32, message: String) throws {
        let directory = try prepared(policy: "agent:\n  name: support-agent\nrollout:\n  \(rollout)\n")
        let before = try directory.snapshot()
        let result = try deploy(
            [
                "start", "--gate", directory.path("gate.json"), "--policy", directory.path("canary.yaml"), "--router",
                router,
            ],
            directory)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(try directory.snapshot() == before)
    }

    @Test("missing files exit 66")
    func missing() throws {
        let directory = try prepared()
        let noGate = try deploy(
            [
                "start", "--gate", directory.path("nope.json"), "--policy", directory.path("canary.yaml"), "--router",
                "nginx",
            ],
            directory)
        #expect(noGate.status == 66)
        let noRollout = try deploy(["advance", "--force", "--reason", "x"], directory)
        #expect(noRollout.status == 66 && noRollout.stderr.contains("no rollout"))
        let noLedger = try Tool.run("canary-deploy", ["status", "--ledger", directory.path("none.sqlite")])
        #expect(noLedger.status == 66)
    }

    @Test("plan and render need no ledger")
    func planAndRender() throws {
        let directory = try TemporaryDirectory()
        let plan = try Tool.run("canary-deploy", ["plan", "--policy", "\(Self.fixtures)/rollout.yaml"])
        #expect(plan.status == 0 && plan.stdout.contains("| 3 | 25 % | 800 | 20m |"))
        let render = try Tool.run(
            "canary-deploy",
            [
                "render", "--policy", "\(Self.fixtures)/rollout.yaml", "--router", "istio", "--weight", "10",
                "--out-dir",
                directory.path("r"),
            ])
        #expect(render.status == 0)
        #expect(FileManager.default.fileExists(atPath: directory.path("r/virtualservice.yaml")))
        let bad = try Tool.run(
            "canary-deploy",
            ["render", "--policy", "\(Self.fixtures)/rollout.yaml", "--router", "nginx", "--weight", "101"])
        #expect(bad.status == 64)
    }
}

extension CanaryDeployEndToEndTests {
    /// The hidden temporaries in `out/`.
    func leftovers(_ directory: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path("out")).filter { $0.hasPrefix(".") }
    }

    /// Starts `advance --force` stopped at `failpoint`, then kills it with SIGKILL.
    func killedAdvance(_ directory: TemporaryDirectory, at failpoint: String) throws {
        let process = try Tool.start(
            "canary-deploy",
            [
                "advance", "--force", "--reason", "killed", "--ledger", directory.path("ledger.sqlite"), "--out-dir",
                directory.path("out"),
            ], environment: ["SOURCE_DATE_EPOCH": "1795651200", "AGENT_CANARY_FAILPOINT": failpoint])
        let deadline = Date().addingTimeInterval(30)
        while !process.stderrSoFar.contains("failpoint \(failpoint) reached"), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(process.stderrSoFar.contains("failpoint"), "\(process.stderrSoFar)")
        kill(process.process.processIdentifier, SIGKILL)
        process.process.waitUntilExit()
        _ = process.finish()
    }

    @Test("killed between the ledger commit and its renames: the next command brings the outputs forward")
    func killedBetweenRenames() throws {
        let directory = try prepared()
        #expect(try start(directory).status == 0)
        try killedAdvance(directory, at: "outputs.after-first-rename")
        // The ledger and the first output are at 50 %, rollout.json still at 5 %, its successor left beside it.
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        #expect(try ledger.latestRollout()?.weight == 50)
        #expect(try rollout(directory).weight == 5)
        #expect(try leftovers(directory).contains { $0.hasPrefix(".rollout.json.") })
        let status = try Tool.run("canary-deploy", ["status", "--ledger", directory.path("ledger.sqlite")])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stderr.contains("brought") && status.stderr.contains("rollout.json forward"), "\(status.stderr)")
        #expect(try rollout(directory).weight == 50)
        #expect(try leftovers(directory).isEmpty)
        // Every output the ledger recorded for the advance is in place, byte for byte.
        let run = try #require(try ledger.latestRollout()?.runId)
        for output in try ledger.latestOutputs(runId: run, tool: "canary-deploy") {
            let data = try Data(contentsOf: URL(fileURLWithPath: output.path))
            #expect(Digest.sha256(data) == output.sha256, "\(output.path)")
        }
    }

    @Test("killed inside the ledger transaction: outputs as before, and the next command removes the leftovers")
    func killedBeforeCommit() throws {
        let directory = try prepared()
        #expect(try start(directory).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: directory.path("out/rollout.json")))
        try killedAdvance(directory, at: "ledger.before-commit")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.path("out/rollout.json"))) == before)
        #expect(!(try leftovers(directory)).isEmpty)
        let advance = try deploy(["advance", "--force", "--reason", "again"], directory)
        #expect(advance.status == 0, "\(advance.stderr)")
        #expect(try rollout(directory).weight == 50)
        #expect(try leftovers(directory).isEmpty)
    }
}

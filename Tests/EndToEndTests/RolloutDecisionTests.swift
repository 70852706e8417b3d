import Artifacts
import CIOutput
import Foundation
import Logging
import Rollout
import RunLedger
import Stages
import TestSupport
import Testing
import ToolContract
import ToolFiles
import Vocabulary

/// `advance` and `promote` accept the monitor's decision by the SHA-256 recorded in the ledger.
@Suite("Rollout decisions from the monitor")
struct RolloutDecisionTests {
    func started(steps: String = "[{weight: 5}, {weight: 50}]") throws
        -> (TemporaryDirectory, DeployContext, RolloutController, String)
    {
        let directory = try TemporaryDirectory()
        let gate = try Tool.run(
            "benchmark-gate",
            [
                "--candidate", "Tests/Fixtures/native/pass/candidate.jsonl", "--baseline",
                "Tests/Fixtures/native/pass/baseline.jsonl", "--agent", "support-agent", "--output",
                directory.path("gate.json"), "--ledger", directory.path("ledger.sqlite"),
            ])
        #expect(gate.status == 0)
        try directory.write("canary.yaml", "agent:\n  name: support-agent\nrollout:\n  steps: \(steps)\n")
        let context = DeployContext(
            outDir: directory.path("out"), apply: nil,
            stage: StageContext(
                ledgerPath: directory.path("ledger.sqlite"), arguments: [],
                environment: ["SOURCE_DATE_EPOCH": "1795651200", "USER": "ana"], logger: Logger(label: "test")))
        let deploy = RolloutController(logger: Logger(label: "test"))
        let outcome = try deploy.start(
            gatePath: directory.path("gate.json"), policyPath: directory.path("canary.yaml"), router: "istio",
            force: false, reason: nil, context: context)
        return (directory, context, deploy, outcome.artifact.runId)
    }

    func analysis(_ decision: Decision, in directory: TemporaryDirectory, runId: String, record: Bool) throws -> String
    {
        let path = try directory.write(
            "analysis-\(decision).json", "{\"decision\": \"\(decision)\", \"run_id\": \"\(runId)\"}\n")
        if record {
            // As the monitor records a look: the look row (at the rollout's first step) and its analysis.
            let sha = try Digest.sha256(ofFile: path)
            let look = LookRow(
                id: 0, runId: runId, agent: "support-agent", baselineVersion: "1.4.0", candidateVersion: "1.5.0",
                mode: .canary, stepIndex: 0, weight: 5, decision: decision, policySha256: "", inputsJSON: "{}",
                judgementJSON: "{}", analysisSha256: sha, createdAt: "2026-11-26T00:00:00Z")
            let stage = StageInvocation(tool: "monitor", arguments: [], startedAt: "s", endedAt: "e", exitStatus: 0)
            _ = try Ledger(path: directory.path("ledger.sqlite")).recordLook(
                LookWrite(look: look, metrics: [], stage: stage)
            ) { _ in (sha, [OutputFile(kind: "analysis", path: path, sha256: sha)]) }
        }
        return path
    }

    @Test("a recorded promote decision advances; the actor is the monitor")
    func accepted() throws {
        let (directory, context, deploy, runId) = try started()
        let path = try analysis(.promote, in: directory, runId: runId, record: true)
        let outcome = try deploy.transition(
            .advance, runId: runId, analysisPath: path, force: false, reason: nil, context: context)
        #expect(outcome.artifact.weight == 50)
        let last = try #require(outcome.artifact.history.last)
        let sha = try Digest.sha256(ofFile: path)
        #expect(last.actor == "monitor" && !last.forced && last.evidenceSha256 == sha)
        // The same analysis again is a retry, not a second advance.
        let retry = try deploy.transition(
            .advance, runId: runId, analysisPath: path, force: false, reason: nil, context: context)
        #expect(retry.retried && retry.artifact.history.count == 2)
    }

    @Test("an unrecorded analysis or a decision that does not allow the step is refused")
    func refused() throws {
        let (directory, context, deploy, runId) = try started()
        let unrecorded = try analysis(.promote, in: directory, runId: runId, record: false)
        #expect(throws: RolloutError.self) {
            try deploy.transition(
                .advance, runId: runId, analysisPath: unrecorded, force: false, reason: nil, context: context)
        }
        let hold = try analysis(.hold, in: directory, runId: runId, record: true)
        do {
            _ = try deploy.transition(
                .promote, runId: runId, analysisPath: hold, force: false, reason: nil, context: context)
            Issue.record("a hold decision must not promote")
        } catch let error as RolloutError {
            #expect(error.exitStatus == .stop)
        }
        #expect(try Ledger(path: directory.path("ledger.sqlite")).transitions(runId: runId).count == 1)
    }

    @Test("a decision cannot end a step before its minimum duration; --force can")
    func minimumDuration() throws {
        let (directory, context, deploy, runId) = try started(steps: "[{weight: 5, min_duration: 10m}, {weight: 50}]")
        let path = try analysis(.promote, in: directory, runId: runId, record: true)
        #expect(throws: RolloutError.self) {
            try deploy.transition(
                .advance, runId: runId, analysisPath: path, force: false, reason: nil, context: context)
        }
        var later = context
        later.stage.environment["SOURCE_DATE_EPOCH"] = "1795651801"
        let outcome = try deploy.transition(
            .advance, runId: runId, analysisPath: path, force: false, reason: nil, context: later)
        #expect(outcome.artifact.weight == 50)
    }
}

import Analysis
import Artifacts
import Foundation
import Testing
import ToolContract

/// The closed loop's first steps through the built tools, for the suites that start from a rollout: telemetry
/// from `agent-sim`, a passing gate and a started rollout, a look, its `analysis.json`.
package enum LoopFixtures {
    package static let fixtures = "Tests/Fixtures"
    package static let epoch = "1795651200"  // 2026-11-26T00:00:00Z
    package static let environment = ["SOURCE_DATE_EPOCH": epoch]

    package static func simulate(_ arguments: [String], in directory: TemporaryDirectory) throws {
        let result = try Tool.run("agent-sim", ["telemetry"] + arguments, in: directory.url)
        #expect(result.status == 0, "\(result.stderr)")
    }

    package static func monitor(_ arguments: [String], in directory: TemporaryDirectory) throws -> ToolResult {
        try Tool.run("monitor", arguments + ["--ledger", "ledger.sqlite"], environment: environment, in: directory.url)
    }

    package static func analysis(_ path: String) throws -> AnalysisArtifact {
        try ArtifactCoding.makeDecoder().decode(
            AnalysisArtifact.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// A look without a run at `events` (versions 1.4.0 and 1.5.0) into `analysis.json`: the result and the
    /// artifact, when one was written.
    package static func explicitLook(_ directory: TemporaryDirectory, events: String, policy: String = "canary.yaml")
        throws -> (ToolResult, AnalysisArtifact?)
    {
        let result = try monitor(
            [
                "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--policy", policy,
                "--events", events, "--output", "analysis.json",
            ], in: directory)
        return (result, try? analysis(directory.path("analysis.json")))
    }

    package static let policy = "agent:\n  name: support-agent\n"

    /// A passing gate and a started rollout (nginx) in `directory`, with the policy `policy`; returns the run id.
    package static func startedRun(
        in directory: TemporaryDirectory,
        policy: String = "agent: {name: support-agent}\nrollout:\n  steps: [{weight: 50}]\n", runId: String? = nil,
        policyFile: String = "canary.yaml", outDir: String = "out", router: String = "nginx"
    ) throws -> String {
        let gate = try Tool.run(
            "benchmark-gate",
            [
                "--candidate", Repository.path("\(fixtures)/native/pass/candidate.jsonl"), "--baseline",
                Repository.path("\(fixtures)/native/pass/baseline.jsonl"), "--agent", "support-agent", "--output",
                "gate.json", "--ledger", "ledger.sqlite",
            ] + (runId.map { ["--run-id", $0] } ?? []), environment: environment, in: directory.url)
        #expect(gate.status == 0)
        try directory.write(policyFile, policy)
        let start = try Tool.run(
            "canary-deploy",
            [
                "start", "--gate", "gate.json", "--policy", policyFile, "--router", router, "--ledger",
                "ledger.sqlite", "--out-dir", outDir,
            ], environment: environment, in: directory.url)
        #expect(start.status == 0, "\(start.stderr)")
        return try ArtifactCoding.makeDecoder().decode(
            RolloutArtifact.self, from: Data(contentsOf: URL(fileURLWithPath: directory.path("\(outDir)/rollout.json")))
        ).runId
    }
}

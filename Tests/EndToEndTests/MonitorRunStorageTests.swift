import Analysis
import AnalysisCore
import Artifacts
import Foundation
import TestSupport
import Testing

/// A run's look stores its new rows through temporary tables, a batch at a time, and copies them into the
/// ledger with the look. Checked on a shadow run whose look holds more rows than several batches: every event
/// stored once, the sample and the shadow agreements as the analysis counted them, the same judgement as a look
/// without a run.
@Suite("monitor analyze --run: rows stored batch by batch")
struct MonitorRunStorageTests {
    static func query(_ sql: String, in directory: TemporaryDirectory) throws -> [Int] {
        let result = try runCommand(try ExternalTool.sqlite3.require(), [directory.path("ledger.sqlite"), sql])
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map {
            Int($0) ?? -1
        }
    }

    @Test("a look of several batches stores every event once, its sample and its shadow agreements")
    func manyBatches() throws {
        let directory = try TemporaryDirectory()
        let policy = "agent: {name: support-agent}\nrollout:\n  mode: shadow\n  steps: [{weight: 30}]\n"
        let run = try LoopFixtures.startedRun(in: directory, policy: policy)
        try LoopFixtures.simulate(
            [
                "--scenario", "rogue", "--conversations", "4000", "--weight", "30", "--shadow", "--start",
                "2026-11-26T00:01:00Z", "--out", "events.jsonl",
            ], in: directory)
        let look = try LoopFixtures.monitor(
            ["analyze", "--run", run, "--policy", "canary.yaml", "--events", "events.jsonl", "--output", "run.json"],
            in: directory)
        #expect(look.status <= 1, "\(look.stderr)")
        let artifact = try LoopFixtures.analysis(directory.path("run.json"))
        let stored = try Self.query(
            "SELECT (SELECT count(*) FROM telemetry_tasks) + (SELECT count(*) FROM telemetry_feedback) "
                + "+ (SELECT count(*) FROM telemetry_violations) + (SELECT count(*) FROM telemetry_shadow)",
            in: directory)
        #expect(stored == [artifact.ingestion.newEvents])
        #expect(artifact.ingestion.newEvents > 3 * 4_096, "\(artifact.ingestion.newEvents) events: one batch only")
        // Shadow agreement as the analysis counted it.
        let shadow = try #require(artifact.judgement.shadow)
        let agreements = try Self.query(
            "SELECT sum(agrees = 1), sum(agrees = 0) FROM telemetry_shadow", in: directory)
        #expect(agreements == [shadow.agreements, shadow.disagreements])
        // Content: every failure keeps it; 200 successes of the stable version are the sample; no other success.
        let content = try Self.query(
            "SELECT sum(outcome != 'success' AND input IS NULL), sum(sampled), "
                + "sum(outcome = 'success' AND sampled = 0 AND unauthorized = 0 AND input IS NOT NULL "
                + "AND task_id NOT IN (SELECT task_id FROM telemetry_violations)) FROM telemetry_tasks",
            in: directory)
        #expect(content == [0, 200, 0])
        // The same judgement as a look without a run over the same file.
        let (plain, explicit) = try LoopFixtures.explicitLook(directory, events: "events.jsonl")
        #expect(plain.status <= 1, "\(plain.stderr)")
        #expect(explicit?.judgement.metrics == artifact.judgement.metrics)
        #expect(explicit?.judgement.shadow == artifact.judgement.shadow)
    }
}

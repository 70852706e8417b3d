import AnalysisCore
import Artifacts
import Foundation
import TestSupport
import Testing
import Vocabulary

/// `monitor.method: group-sequential` through the built tools: the looks of a run place themselves by the
/// run's earlier looks in the ledger, `rejudge` recomputes each from what the ledger stores (the spending state
/// is in the look's inputs), and a look outside a run keeps the always-valid test.
@Suite("monitor end to end: group-sequential")
struct GroupSequentialRunTests {
    static let policy = """
        agent: {name: support-agent}
        rollout:
          steps: [{weight: 50}]
        monitor: {method: group-sequential, adjust_for: category}

        """

    @Test(
        "a run's looks follow the design, post-stratified on category; rejudge reproduces each",
        .requires(.sqlite3, .pythonEnvironment))
    func runLooks() throws {
        let directory = try TemporaryDirectory()
        let run = try LoopFixtures.startedRun(in: directory, policy: Self.policy)
        var looks: [SequentialLook] = []
        var decisions: [String] = []
        for batch in 0..<3 {
            try LoopFixtures.simulate(
                [
                    "--scenario", "good", "--conversations", "2000", "--weight", "50", "--start",
                    "2026-11-26T0\(batch):00:00Z", "--rate", "20", "--id-prefix", "b\(batch)", "--seed", "\(batch + 1)",
                    "--out", "events.jsonl",
                ] + (batch > 0 ? ["--append"] : []), in: directory)
            let result = try LoopFixtures.monitor(
                ["analyze", "--run", run, "--policy", "canary.yaml", "--events", "events.jsonl", "--output", "a.json"],
                in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            let artifact = try LoopFixtures.analysis(directory.path("a.json"))
            #expect(artifact.method.sequential.hasPrefix("group-sequential non-inferiority"))
            // The artifact, with its sequential look and adjustment, against schemas/analysis.schema.json.
            try FileManager.default.copyItem(atPath: directory.path("a.json"), toPath: directory.path("a\(batch).json"))
            let judgement = artifact.judgement
            let success = try #require(judgement.metrics.first { $0.name == "task_success_rate" })
            looks.append(try #require(success.sequential))
            decisions.append(judgement.decision.rawValue)
        }
        let schema = try Validator.check(
            "json-schema",
            [Repository.path("schemas/analysis.schema.json")] + (0..<3).map { directory.path("a\($0).json") })
        #expect(schema.status == 0, "\(schema.output)")
        #expect(looks.map(\.look) == [1, 2, 3])
        #expect(looks[0].information < looks[1].information && looks[1].information < looks[2].information)
        // One step: the plan is the fixed design (no inflation); the third batch passes it, the final analysis.
        #expect(looks.allSatisfy { abs($0.plannedInformation / $0.fixedInformation - 1) < 1e-6 })
        #expect(!looks[0].final && looks[2].final)
        #expect(looks[0].boundary ?? 0 > looks[1].boundary ?? 0)
        for look in looks {
            let adjustment = try #require(look.adjustment)
            #expect(adjustment.covariate == "category" && adjustment.strata == 4)
            #expect(abs(adjustment.varianceReduction) < 0.1)
        }
        #expect(decisions.last == "promote", "\(decisions)")
        for id in 1...3 {
            let rejudge = try LoopFixtures.monitor(["rejudge", "--look", String(id)], in: directory)
            #expect(rejudge.status == 0, "look \(id): \(rejudge.stderr)")
            #expect(rejudge.stdout.contains("identical"))
        }
        // Outside the run, the same policy cannot place a look in the design: the always-valid test judges.
        let outside = try LoopFixtures.monitor(
            [
                "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--policy", "canary.yaml",
                "--events", "events.jsonl", "--output", "outside.json", "--ledger", "other.sqlite",
            ], in: directory)
        #expect(outside.status == 0, "\(outside.stderr)")
        let outsideArtifact = try LoopFixtures.analysis(directory.path("outside.json"))
        #expect(outsideArtifact.method.sequential.hasPrefix("always-valid"))
        let judgement = outsideArtifact.judgement
        let success = try #require(judgement.metrics.first { $0.name == "task_success_rate" })
        #expect(success.sequential == nil)
        #expect(success.method.contains("needs a run's earlier looks"))
    }

    @Test("a run begun under the mixture keeps it when its policy turns group-sequential", .requires(.sqlite3))
    func methodKeptWithinRun() throws {
        let directory = try TemporaryDirectory()
        let run = try LoopFixtures.startedRun(
            in: directory, policy: Self.policy.replacingOccurrences(of: "group-sequential", with: "msprt"))
        var methods: [String] = []
        for batch in 0..<2 {
            try LoopFixtures.simulate(
                [
                    "--scenario", "good", "--conversations", "1000", "--weight", "50", "--start",
                    "2026-11-26T0\(batch):00:00Z", "--id-prefix", "m\(batch)", "--out", "events.jsonl",
                ] + (batch > 0 ? ["--append"] : []), in: directory)
            // The second look's policy file says group-sequential (the default for a policy without a method).
            if batch == 1 { try directory.write("canary.yaml", "agent: {name: support-agent}\n") }
            let result = try LoopFixtures.monitor(
                ["analyze", "--run", run, "--policy", "canary.yaml", "--events", "events.jsonl", "--output", "m.json"],
                in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            let artifact = try LoopFixtures.analysis(directory.path("m.json"))
            methods.append(artifact.method.sequential)
            #expect(artifact.judgement.metrics.allSatisfy { $0.sequential == nil })
        }
        #expect(methods.allSatisfy { $0.hasPrefix("always-valid") }, "\(methods)")
        let rejudge = try LoopFixtures.monitor(["rejudge", "--look", "2"], in: directory)
        #expect(rejudge.status == 0 && rejudge.stdout.contains("identical"), "\(rejudge.stderr)")
    }
}

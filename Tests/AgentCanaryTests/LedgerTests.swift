import Artifacts
import Foundation
import Ledger
import TestSupport
import Testing

@Suite("Run ledger")
struct LedgerTests {
    static func gate(runId: String, agent: String = "agent", candidate: String = "2.0", verdict: GateVerdict = .pass)
        -> GateResult
    {
        GateResult(
            envelope: ArtifactEnvelope(
                schema: GateResult.schemaID, runId: runId, createdAt: "2026-11-26T00:00:00Z",
                tool: ToolInfo(name: "benchmark-gate"), inputs: []),
            agent: agent, baselineVersion: "1.0", candidateVersion: candidate, formats: [:], verdict: verdict,
            blocking: verdict != .pass, reasons: [], notes: [],
            metrics: [
                GateMetric(
                    name: "success_rate", comparison: "difference", direction: "higher", baseline: 0.8, candidate: 0.81,
                    difference: 0.01, ciLow: -0.01, ciHigh: 0.03, threshold: -0.03, status: .pass, method: "m")
            ],
            categories: [],
            tasks: GateTaskCounts(
                matched: 10, baselineOnly: 0, candidateOnly: 0, unmatchedExamples: [], baselineAttempts: 10,
                candidateAttempts: 10, baselineInfraErrors: 0, candidateInfraErrors: 0, minTrials: 1),
            method: GateMethod(confidence: 0.95, bootstrapResamples: 100, seed: 1, passK: 3, scoreThreshold: 0.5),
            policySha256: "p")
    }

    static func recording(_ gate: GateResult, suite: String = "{\"task_id\":\"a\",\"success\":true}\n") -> GateRecording
    {
        GateRecording(
            gate: gate,
            stage: StageInvocation(
                tool: "benchmark-gate", arguments: ["--candidate", "c"], startedAt: "s", endedAt: "e", exitStatus: 0),
            outputs: [OutputFile(kind: "gate-result", path: "gate.json", sha256: "abc-\(gate.runId)")],
            candidateSuite: StoredSuite(
                sha256: "cand-\(gate.runId)", format: "native", content: Data(suite.utf8),
                version: gate.candidateVersion),
            baselineSuite: StoredSuite(sha256: "base", format: "native", content: Data(suite.utf8), version: "1.0"))
    }

    @Test("migrations are applied once and named", arguments: LedgerBackend.available)
    func migrations(backend: LedgerBackend) throws {
        let directory = try TemporaryDirectory()
        let ledger = try backend.ledger(in: directory)
        #expect(
            try ledger.appliedMigrations() == [
                "v1-runs-stages-artifacts-gates", "v2-rollouts", "v3-monitor", "v4-exports", "v5-notifications",
            ])
        #expect(try ledger.integrityProblems().isEmpty)
    }

    @Test("a gate records its run, stage, artifacts, suites and metrics in one go", arguments: LedgerBackend.available)
    func recordGate(backend: LedgerBackend) throws {
        let directory = try TemporaryDirectory()
        let ledger = try backend.ledger(in: directory)
        try ledger.recordGate(Self.recording(Self.gate(runId: "r1")))
        try ledger.recordGate(Self.recording(Self.gate(runId: "r2", candidate: "2.1", verdict: .fail)))
        #expect(try ledger.count(table: "runs") == 2)
        #expect(try ledger.count(table: "stages") == 2)
        #expect(try ledger.count(table: "artifacts") == 2)
        #expect(try ledger.count(table: "gate_metrics") == 2)
        // The baseline suite is shared, stored once.
        #expect(try ledger.count(table: "benchmark_suites") == 3)
        #expect(try ledger.count(table: "run_summary") == 2)
        let history = try ledger.gateHistory(agent: "agent")
        #expect(history.map(\.runId) == ["r2", "r1"])
        #expect(history.first?.verdict == "fail" && history.first?.artifactSha256 == "abc-r2")
        #expect(try ledger.run(id: "r2")?.status == "gate_failed")
    }

    @Test("the baseline from the ledger is the last passing candidate", arguments: LedgerBackend.available)
    func baselineFromLedger(backend: LedgerBackend) throws {
        let directory = try TemporaryDirectory()
        let ledger = try backend.ledger(in: directory)
        #expect(try ledger.baselineSuite(agent: "agent") == nil)
        try ledger.recordGate(Self.recording(Self.gate(runId: "r1", candidate: "2.0")))
        try ledger.recordGate(Self.recording(Self.gate(runId: "r2", candidate: "2.1", verdict: .fail)))
        let stored = try #require(try ledger.baselineSuite(agent: "agent"))
        #expect(stored.version == "2.0" && stored.sha256 == "cand-r1")
    }

    @Test("a run id of another candidate is refused and nothing is written", arguments: LedgerBackend.available)
    func runMismatch(backend: LedgerBackend) throws {
        let directory = try TemporaryDirectory()
        let ledger = try backend.ledger(in: directory)
        try ledger.recordGate(Self.recording(Self.gate(runId: "r1")))
        #expect(throws: LedgerError.self) {
            try ledger.recordGate(Self.recording(Self.gate(runId: "r1", candidate: "9.9")))
        }
        #expect(try ledger.count(table: "stages") == 1)
        // The same candidate may be gated again under its run (a CI retry).
        try ledger.recordGate(Self.recording(Self.gate(runId: "r1")))
        #expect(try ledger.count(table: "gate_results") == 2 && ledger.count(table: "runs") == 1)
    }

    @Test("a file ledger is created with its directory, in WAL mode")
    func fileLedger() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("nested/dir/ledger.sqlite")
        let ledger = try Ledger(path: path)
        try ledger.recordGate(Self.recording(Self.gate(runId: "r1")))
        #expect(FileManager.default.fileExists(atPath: path))
        let reopened = try Ledger(path: path)
        #expect(try reopened.count(table: "gate_results") == 1)
        let header = try #require(FileHandle(forReadingAtPath: path)?.readData(ofLength: 20))
        // Bytes 18 and 19 of the header are 2 in WAL mode (SQLite file format, section 1.3).
        #expect(header[18] == 2 && header[19] == 2)
    }

    @Test("the ledger path comes from the flag, then the environment, then the default")
    func resolvePath() {
        #expect(Ledger.resolvePath(flag: "a.sqlite", environment: ["AGENT_CANARY_LEDGER": "b.sqlite"]) == "a.sqlite")
        #expect(Ledger.resolvePath(flag: nil, environment: ["AGENT_CANARY_LEDGER": "b.sqlite"]) == "b.sqlite")
        #expect(Ledger.resolvePath(flag: nil, environment: [:]) == ".agent-canary/ledger.sqlite")
    }
}

import Foundation
import RunLedger
import TestSupport
import Testing
import Vocabulary

@Suite("Run ledger")
struct LedgerTests {
    static func gate(runId: String, agent: String = "agent", candidate: String = "2.0", verdict: GateVerdict = .pass)
        -> GateRow
    {
        GateRow(
            runId: runId, agent: agent, candidateVersion: candidate, baselineVersion: "1.0", verdict: verdict,
            blocking: verdict != .pass, reasons: [], policySha256: "p", matchedTasks: 10, unmatchedTasks: 0,
            baselineInfraErrors: 0, candidateInfraErrors: 0, confidence: 0.95, bootstrapResamples: 100, seed: 1,
            createdAt: "2026-11-26T00:00:00Z",
            metrics: [
                GateMetricRow(
                    category: "", name: "success_rate", baseline: 0.8, candidate: 0.81, difference: 0.01, ratio: nil,
                    ciLow: -0.01, ciHigh: 0.03, pValue: nil, threshold: -0.03, status: "pass", method: "m",
                    tasksNeeded: nil)
            ])
    }

    static func recording(_ gate: GateRow, suite: String = "{\"task_id\":\"a\",\"success\":true}\n") -> GateRecording {
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
                "v6-intake", "v7-parsed-intake",
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
        #expect(history.first?.verdict == .fail && history.first?.artifactSha256 == "abc-r2")
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

    static func state(_ runId: String, phase: RolloutPhase = .progressing, step: Int = 0, weight: Int = 10)
        -> RolloutRecord
    {
        RolloutRecord(
            runId: runId, router: "nginx", mode: .canary, phase: phase, stepIndex: step, weight: weight,
            policySha256: "p", policyJSON: "{}", gateArtifactSha256: "abc-\(runId)", startedAt: "t0",
            stepStartedAt: "t0", updatedAt: "t\(step)", drainVersion: nil, drainDeadline: nil)
    }

    static func transition(_ runId: String, from: RolloutRecord?, to: RolloutRecord) -> TransitionRecord {
        TransitionRecord(
            runId: runId, command: from == nil ? .start : .advance, fromPhase: from?.phase, fromStep: from?.stepIndex,
            fromWeight: from?.weight, toPhase: to.phase, toStep: to.stepIndex, toWeight: to.weight, reason: "r",
            actor: "monitor", forced: false, evidenceSha256: nil, idempotencyKey: "k\(to.stepIndex)",
            configSha256: "c", applied: "not-requested", applyError: nil, createdAt: "t\(to.stepIndex)")
    }

    @Test(
        "transitions chain: a start or an advance computed from a stale state is refused",
        arguments: LedgerBackend.available)
    func transitions(backend: LedgerBackend) throws {
        let directory = try TemporaryDirectory()
        let ledger = try backend.ledger(in: directory)
        try ledger.recordGate(Self.recording(Self.gate(runId: "r1")))
        let stage = StageInvocation(tool: "canary-deploy", arguments: [], startedAt: "s", endedAt: "e", exitStatus: 0)
        let started = Self.state("r1")
        try ledger.recordTransition(
            Self.transition("r1", from: nil, to: started), state: started, stage: stage, outputs: [])
        #expect(throws: LedgerError.self) {
            try ledger.recordTransition(
                Self.transition("r1", from: nil, to: started), state: started, stage: stage, outputs: [])
        }
        let advanced = Self.state("r1", step: 1, weight: 50)
        let id = try ledger.recordTransition(
            Self.transition("r1", from: started, to: advanced), state: advanced, stage: stage, outputs: [])
        // A second advance from the same starting state: the rollout moved meanwhile.
        #expect(throws: LedgerError.self) {
            try ledger.recordTransition(
                Self.transition("r1", from: started, to: advanced), state: advanced, stage: stage, outputs: [])
        }
        #expect(try ledger.transitions(runId: "r1").map(\.toWeight) == [10, 50])
        #expect(try ledger.transitions(runId: "r1").last?.id == id)
        #expect(try ledger.rollout(runId: "r1") == advanced)
        #expect(try ledger.latestRollout(agent: "agent") == advanced)
        #expect(try ledger.latestRollout(agent: "someone-else") == nil)
        #expect(try ledger.run(id: "r1")?.status == "canary")
        #expect(try ledger.count(table: "rollout_history") == 2)
    }

    @Test(
        "an incremental export whose watermark moved is refused; notifications are kept in order",
        arguments: LedgerBackend.available)
    func exportsAndNotifications(backend: LedgerBackend) throws {
        let directory = try TemporaryDirectory()
        let ledger = try backend.ledger(in: directory)
        try ledger.recordGate(Self.recording(Self.gate(runId: "r1")))
        func export(_ watermark: Int64) -> ExportRow {
            ExportRow(
                id: 0, selectionKey: "s", scope: "run r1", kinds: "all", arm: "both", format: "native", outDir: "d",
                watermark: watermark, records: 3, manifestSha256: "m", createdAt: "t")
        }
        let first = try ledger.recordExport(export(4), after: 0)
        #expect(throws: LedgerError.staleExport(selection: "s")) { try ledger.recordExport(export(6), after: 0) }
        let second = try ledger.recordExport(export(6), after: 4)
        #expect(second > first)
        #expect(try ledger.latestExport(selectionKey: "s")?.watermark == 6)
        #expect(try ledger.exports().map(\.watermark) == [4, 6])
        let records = ["delivered", "failed"].map { status in
            NotificationRecord(
                runId: "r1", source: "monitor", event: "decision", forced: false, target: "slack#0",
                urlEnv: "AGENT_CANARY_SLACK_URL", idempotencyKey: "k", attempts: 2, status: status,
                httpStatus: status == "failed" ? 500 : 200, error: status == "failed" ? "HTTP 500" : nil, createdAt: "t"
            )
        }
        try ledger.recordNotifications(records)
        #expect(try ledger.notifications(runId: "r1") == records)
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

    @Test("a second connection checkpoints the write-ahead log the first one's commits leave; none on PostgreSQL")
    func separateCheckpoints() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("ledger.sqlite")
        let ledger = try Ledger(path: path)
        let checkpointer = try #require(try ledger.separateCheckpoints())
        let records = (0..<2_000).map { n in
            IntakeRecord(
                key: "event:a:\(n)", agent: "a", traceId: nil, timestamp: 1, body: String(repeating: "x", count: 200))
        }
        _ = try ledger.intakeCommit(receivedAt: 1) { try $0.storeEvents(records, builtWith: nil) }
        let wal = try #require(FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int)
        #expect(wal > 400_000)
        let (frames, copied) = try checkpointer.checkpoint()
        #expect(frames > 0 && copied == frames)
        // What was copied reads back from the file, on a new connection.
        var count = 0
        _ = try Ledger(path: path).forEachIntakeRecord(agent: "a", after: 0, since: 0) { _ in
            count += 1
            return true
        }
        #expect(count == 2_000)
        #expect(try Ledger.inMemory().separateCheckpoints() == nil)
    }

    @Test("the ledger path comes from the flag, then the environment, then the default")
    func resolvePath() {
        #expect(Ledger.resolvePath(flag: "a.sqlite", environment: ["AGENT_CANARY_LEDGER": "b.sqlite"]) == "a.sqlite")
        #expect(Ledger.resolvePath(flag: nil, environment: ["AGENT_CANARY_LEDGER": "b.sqlite"]) == "b.sqlite")
        #expect(Ledger.resolvePath(flag: nil, environment: [:]) == ".agent-canary/ledger.sqlite")
    }
}

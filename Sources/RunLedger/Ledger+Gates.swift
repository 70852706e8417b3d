import Foundation
import ToolContract
import Vocabulary

/// Benchmark results kept in the ledger.
package struct StoredSuite: Sendable, Equatable {
    /// SHA-256 of the file's bytes.
    package var sha256: String
    /// `native` or `inspect`.
    package var format: String
    /// The file's bytes.
    package var content: Data
    /// The agent version the results belong to (when read back).
    package var version: String

    /// The columns the baseline query selects, in order.
    enum Column: Int, LedgerColumns {
        case sha256, format, content, candidateVersion
    }

    /// Describes stored results.
    package init(sha256: String, format: String, content: Data, version: String) {
        self.sha256 = sha256
        self.format = format
        self.content = content
        self.version = version
    }
}

/// Everything one `benchmark-gate` run records, written in one transaction.
package struct GateRecording: Sendable {
    /// The gate, as the ledger stores it.
    package var gate: GateRow
    /// The invocation.
    package var stage: StageInvocation
    /// The files it wrote; the one of kind `gate-result` is linked to the gate row.
    package var outputs: [OutputFile]
    /// The candidate's and the baseline's results.
    package var candidateSuite: StoredSuite
    package var baselineSuite: StoredSuite

    /// Describes a recording.
    package init(
        gate: GateRow, stage: StageInvocation, outputs: [OutputFile], candidateSuite: StoredSuite,
        baselineSuite: StoredSuite
    ) {
        self.gate = gate
        self.stage = stage
        self.outputs = outputs
        self.candidateSuite = candidateSuite
        self.baselineSuite = baselineSuite
    }
}

/// A recorded gate, as `benchmark-gate history` lists it.
package struct GateSummary: Codable, Equatable, Sendable {
    package var gateId: Int64
    package var runId: String
    package var agent: String
    package var candidateVersion: String
    package var baselineVersion: String
    package var verdict: GateVerdict
    package var blocking: Bool
    package var matchedTasks: Int
    package var createdAt: String
    package var successRateDifference: Double?
    package var costRatio: Double?
    package var artifactPath: String?
    package var artifactSha256: String?

    enum CodingKeys: String, CodingKey {
        case agent, verdict, blocking
        case gateId = "gate_id"
        case runId = "run_id"
        case candidateVersion = "candidate_version"
        case baselineVersion = "baseline_version"
        case matchedTasks = "matched_tasks"
        case createdAt = "created_at"
        case successRateDifference = "success_rate_difference"
        case costRatio = "cost_ratio"
        case artifactPath = "artifact_path"
        case artifactSha256 = "artifact_sha256"
    }

    /// The columns of `gate_history`, in the order the summary reads them.
    enum Column: Int, LedgerColumns {
        case gateId, runId, agent, candidateVersion, baselineVersion, verdict, blocking, matchedTasks, createdAt
        case successRateDifference, costRatio, artifactPath, artifactSha256
    }

    init(row: SQLRow) throws {
        gateId = try row[Column.gateId]
        runId = try row[Column.runId]
        agent = try row[Column.agent]
        candidateVersion = try row[Column.candidateVersion]
        baselineVersion = try row[Column.baselineVersion]
        verdict = try row[Column.verdict]
        blocking = try row[Column.blocking]
        matchedTasks = try row[Column.matchedTasks]
        createdAt = try row[Column.createdAt]
        successRateDifference = try row[Column.successRateDifference]
        costRatio = try row[Column.costRatio]
        artifactPath = try row[Column.artifactPath]
        artifactSha256 = try row[Column.artifactSha256]
    }
}

extension Ledger {
    /// Records a gate: its run, the stage, the output files, both result files and every metric.
    ///
    /// Returns the gate's row id. A run id that already names a run of another agent or candidate version
    /// is refused and nothing is written.
    @discardableResult
    package func recordGate(_ recording: GateRecording) throws(LedgerError) -> Int64 {
        try write { session in
            let gate = recording.gate
            let status =
                switch gate.verdict {
                case .pass: "gate_passed"
                case .fail: "gate_failed"
                case .inconclusive: "gate_inconclusive"
                }
            if let run = try RunRecord.fetch(id: gate.runId, session) {
                guard run.agent == gate.agent, run.candidateVersion == gate.candidateVersion else {
                    throw LedgerError.runMismatch(
                        runId: gate.runId,
                        reason: "it belongs to \(run.agent) \(run.candidateVersion), not \(gate.agent) "
                            + "\(gate.candidateVersion); use a new --run-id")
                }
                try session.execute(
                    "UPDATE runs SET status = ?, baseline_version = ? WHERE id = ?",
                    arguments: [status, gate.baselineVersion, run.id])
            } else {
                try RunRecord(
                    id: gate.runId, agent: gate.agent, candidateVersion: gate.candidateVersion,
                    baselineVersion: gate.baselineVersion, createdAt: gate.createdAt, status: status
                ).insert(session)
            }
            let stageId = try insertStage(recording.stage, runId: gate.runId, session)
            let artifactIds = try insertArtifacts(
                recording.outputs, runId: gate.runId, stageId: stageId, createdAt: gate.createdAt, session)
            let gateArtifactId = zip(recording.outputs, artifactIds).first { $0.0.kind == "gate-result" }?.1
            for suite in [recording.candidateSuite, recording.baselineSuite] {
                try BenchmarkSuiteRecord(
                    sha256: suite.sha256, format: suite.format, byteCount: suite.content.count, content: suite.content
                ).insertIfMissing(session)
            }
            let reasons = String(decoding: try JSONEncoder().encode(gate.reasons), as: UTF8.self)
            let gateId = try session.insertReturningID(
                """
                INSERT INTO gate_results (run_id, stage_id, artifact_id, agent, candidate_version,
                    baseline_version, verdict, blocking, candidate_suite, baseline_suite, policy_sha256,
                    matched_tasks, unmatched_tasks, baseline_infra_errors, candidate_infra_errors, confidence,
                    bootstrap_resamples, seed, reasons, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                arguments: [
                    gate.runId, stageId, gateArtifactId, gate.agent, gate.candidateVersion, gate.baselineVersion,
                    gate.verdict, gate.blocking, recording.candidateSuite.sha256, recording.baselineSuite.sha256,
                    gate.policySha256, gate.matchedTasks, gate.unmatchedTasks, gate.baselineInfraErrors,
                    gate.candidateInfraErrors, gate.confidence, gate.bootstrapResamples,
                    Int64(bitPattern: gate.seed), reasons, gate.createdAt,
                ])
            for metric in gate.metrics {
                try session.execute(
                    """
                    INSERT INTO gate_metrics (gate_id, name, category, baseline, candidate, difference, ratio,
                        ci_low, ci_high, p_value, threshold, status, method, tasks_needed)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    arguments: [
                        gateId, metric.name, metric.category, metric.baseline, metric.candidate, metric.difference,
                        metric.ratio, metric.ciLow, metric.ciHigh, metric.pValue, metric.threshold,
                        metric.status, metric.method, metric.tasksNeeded,
                    ])
            }
            return gateId
        }
    }

    /// The gates recorded for `agent`, newest first.
    package func gateHistory(agent: String, limit: Int = 50) throws(LedgerError) -> [GateSummary] {
        try read { session in
            try session.rows(
                "SELECT \(GateSummary.Column.selectList()) FROM gate_history WHERE agent = ? ORDER BY gate_id DESC LIMIT ?",
                arguments: [agent, limit]
            ).map(GateSummary.init)
        }
    }

    /// The results to compare a new candidate of `agent` with: those of its last promoted version, else
    /// those of its last candidate that passed a gate.
    package func baselineSuite(agent: String) throws(LedgerError) -> StoredSuite? {
        try read { session in
            for condition in ["r.status = 'promoted'", "g.verdict = 'pass'"] {
                let row = try session.row(
                    """
                    SELECT s.sha256, s.format, s.content, g.candidate_version
                    FROM gate_results g
                    JOIN runs r ON r.id = g.run_id
                    JOIN benchmark_suites s ON s.sha256 = g.candidate_suite
                    WHERE g.agent = ? AND g.verdict = 'pass' AND \(condition)
                    ORDER BY g.id DESC LIMIT 1
                    """, arguments: [agent])
                if let row {
                    return StoredSuite(
                        sha256: try row[StoredSuite.Column.sha256], format: try row[StoredSuite.Column.format],
                        content: try row[StoredSuite.Column.content],
                        version: try row[StoredSuite.Column.candidateVersion])
                }
            }
            return nil
        }
    }

    /// Counts the rows of a ledger table, for tests and diagnostics.
    package func count(table: String) throws(LedgerError) -> Int {
        try read { session in
            guard try session.relationExists(table) else { throw LedgerError.notFound(what: "table \(table)") }
            return try session.scalar("SELECT COUNT(*) FROM \"\(table)\"") ?? 0
        }
    }

    /// Inserts one artifact row per output file; returns their ids in order.
    func insertArtifacts(
        _ outputs: [OutputFile], runId: String, stageId: Int64, createdAt: String, _ session: any LedgerSession
    ) throws -> [Int64] {
        try outputs.map { output in
            try ArtifactRecord(
                runId: runId, stageId: stageId, kind: output.kind, path: output.path, sha256: output.sha256,
                createdAt: createdAt
            ).insert(session)
        }
    }

    /// Records an invocation; a PostgreSQL URL among its arguments is recorded with its password masked.
    func insertStage(_ stage: StageInvocation, runId: String, _ session: any LedgerSession) throws -> Int64 {
        let masked = stage.arguments.map(PostgresLocation.maskingPasswords(in:))
        let arguments = String(decoding: try JSONEncoder().encode(masked), as: UTF8.self)
        return try StageRecord(
            runId: runId, tool: stage.tool, toolVersion: agentCanaryVersion, arguments: arguments,
            startedAt: stage.startedAt, endedAt: stage.endedAt, exitStatus: Int(stage.exitStatus)
        ).insert(session)
    }
}

extension Ledger {
    /// Records a stage that produced artifacts without a gate or a transition (a monitor look's analysis,
    /// a re-rendered configuration).
    package func recordArtifacts(runId: String, stage: StageInvocation, outputs: [OutputFile]) throws(LedgerError) {
        try write { session in
            guard try RunRecord.fetch(id: runId, session) != nil else {
                throw LedgerError.notFound(what: "run \(runId)")
            }
            let stageId = try insertStage(stage, runId: runId, session)
            _ = try insertArtifacts(outputs, runId: runId, stageId: stageId, createdAt: stage.endedAt, session)
        }
    }
}

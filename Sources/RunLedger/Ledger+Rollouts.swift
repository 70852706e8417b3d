import Foundation
import Vocabulary

/// The state of a rollout as the ledger keeps it.
package struct RolloutRecord: Codable, Equatable, Sendable {
    package var runId: String
    package var router: String
    package var mode: RolloutMode
    /// `progressing`, `paused`, `promoted` or `rolled_back`.
    package var phase: RolloutPhase
    package var stepIndex: Int
    /// Share of new conversations on the candidate, in percent.
    package var weight: Int
    package var policySha256: String
    /// The policy's `rollout` section as it was at start (canonical JSON), so later commands render the same.
    package var policyJSON: String
    package var gateArtifactSha256: String?
    package var startedAt: String
    package var stepStartedAt: String
    package var updatedAt: String
    /// The version whose pinned conversations still drain to it after promotion or rollback.
    package var drainVersion: String?
    /// When the drain ends (ISO-8601).
    package var drainDeadline: String?

    enum CodingKeys: String, CodingKey {
        case router, mode, phase, weight
        case runId = "run_id"
        case stepIndex = "step_index"
        case policySha256 = "policy_sha256"
        case policyJSON = "policy_json"
        case gateArtifactSha256 = "gate_artifact_sha256"
        case startedAt = "started_at"
        case stepStartedAt = "step_started_at"
        case updatedAt = "updated_at"
        case drainVersion = "drain_version"
        case drainDeadline = "drain_deadline"
    }

    /// The columns of `rollouts`, in the order the record reads them.
    enum Column: Int, LedgerColumns {
        case runId, router, mode, phase, stepIndex, weight, policySha256, policyJson, gateArtifactSha256, startedAt
        case stepStartedAt, updatedAt, drainVersion, drainDeadline
    }

    init(row: SQLRow) throws {
        self.init(
            runId: try row[Column.runId], router: try row[Column.router], mode: try row[Column.mode],
            phase: try row[Column.phase], stepIndex: try row[Column.stepIndex], weight: try row[Column.weight],
            policySha256: try row[Column.policySha256], policyJSON: try row[Column.policyJson],
            gateArtifactSha256: try row[Column.gateArtifactSha256], startedAt: try row[Column.startedAt],
            stepStartedAt: try row[Column.stepStartedAt], updatedAt: try row[Column.updatedAt],
            drainVersion: try row[Column.drainVersion], drainDeadline: try row[Column.drainDeadline])
    }

    /// The rollout of `runId`, if it started one.
    static func fetch(runId: String, _ session: any LedgerSession) throws -> RolloutRecord? {
        try session.row("SELECT \(Column.selectList()) FROM rollouts WHERE run_id = ?", arguments: [runId])
            .map(RolloutRecord.init)
    }

    /// Stores this state: inserts the run's rollout, or replaces its columns.
    func save(_ session: any LedgerSession) throws {
        let columns = Column.allCases.map(\.name)
        try session.execute(
            """
            INSERT INTO rollouts (\(Column.selectList())) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))
            ON CONFLICT (run_id) DO UPDATE SET \(columns.dropFirst().map { "\"\($0)\" = excluded.\"\($0)\"" }.joined(separator: ", "))
            """,
            arguments: [
                runId, router, mode, phase, stepIndex, weight, policySha256, policyJSON, gateArtifactSha256, startedAt,
                stepStartedAt, updatedAt, drainVersion, drainDeadline,
            ])
    }

    /// Makes a rollout record.
    package init(
        runId: String, router: String, mode: RolloutMode, phase: RolloutPhase, stepIndex: Int, weight: Int,
        policySha256: String,
        policyJSON: String, gateArtifactSha256: String?, startedAt: String, stepStartedAt: String, updatedAt: String,
        drainVersion: String?, drainDeadline: String?
    ) {
        self.runId = runId
        self.router = router
        self.mode = mode
        self.phase = phase
        self.stepIndex = stepIndex
        self.weight = weight
        self.policySha256 = policySha256
        self.policyJSON = policyJSON
        self.gateArtifactSha256 = gateArtifactSha256
        self.startedAt = startedAt
        self.stepStartedAt = stepStartedAt
        self.updatedAt = updatedAt
        self.drainVersion = drainVersion
        self.drainDeadline = drainDeadline
    }
}

/// One recorded rollout transition.
package struct TransitionRecord: Codable, Equatable, Sendable {
    package var id: Int64?
    package var runId: String
    package var stageId: Int64
    package var command: RolloutCommand
    package var fromPhase: RolloutPhase?
    package var fromStep: Int?
    package var fromWeight: Int?
    package var toPhase: RolloutPhase
    package var toStep: Int
    package var toWeight: Int
    package var reason: String
    /// `monitor`, a person's name, or `forced`.
    package var actor: String
    package var forced: Bool
    /// SHA-256 of the monitor's analysis that justified the transition.
    package var evidenceSha256: String?
    /// What makes a CI retry recognisable: the command, its evidence or reason, and the state it left.
    package var idempotencyKey: String
    /// SHA-256 of the rendered configuration.
    package var configSha256: String
    /// `not-requested`, `applied` or `failed`.
    package var applied: String
    package var applyError: String?
    package var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, command, reason, actor, forced, applied
        case runId = "run_id"
        case stageId = "stage_id"
        case fromPhase = "from_phase"
        case fromStep = "from_step"
        case fromWeight = "from_weight"
        case toPhase = "to_phase"
        case toStep = "to_step"
        case toWeight = "to_weight"
        case evidenceSha256 = "evidence_sha256"
        case idempotencyKey = "idempotency_key"
        case configSha256 = "config_sha256"
        case applyError = "apply_error"
        case createdAt = "created_at"
    }

    /// The columns of `rollout_transitions`, in the order the record reads them.
    enum Column: Int, LedgerColumns {
        case id, runId, stageId, command, fromPhase, fromStep, fromWeight, toPhase, toStep, toWeight, reason, actor
        case forced, evidenceSha256, idempotencyKey, configSha256, applied, applyError, createdAt
    }

    init(row: SQLRow) throws {
        self.init(
            runId: try row[Column.runId], command: try row[Column.command], fromPhase: try row[Column.fromPhase],
            fromStep: try row[Column.fromStep], fromWeight: try row[Column.fromWeight],
            toPhase: try row[Column.toPhase],
            toStep: try row[Column.toStep], toWeight: try row[Column.toWeight], reason: try row[Column.reason],
            actor: try row[Column.actor], forced: try row[Column.forced],
            evidenceSha256: try row[Column.evidenceSha256],
            idempotencyKey: try row[Column.idempotencyKey], configSha256: try row[Column.configSha256],
            applied: try row[Column.applied], applyError: try row[Column.applyError],
            createdAt: try row[Column.createdAt])
        id = try row[Column.id]
        stageId = try row[Column.stageId]
    }

    /// Inserts the transition and returns its id.
    func insert(_ session: any LedgerSession) throws -> Int64 {
        try session.insertReturningID(
            """
            INSERT INTO rollout_transitions (\(Column.allCases.dropFirst().map { "\"\($0.name)\"" }.joined(separator: ", ")))
            VALUES (\(Array(repeating: "?", count: Column.allCases.count - 1).joined(separator: ", ")))
            """,
            arguments: [
                runId, stageId, command, fromPhase, fromStep, fromWeight, toPhase, toStep, toWeight, reason, actor,
                forced,
                evidenceSha256, idempotencyKey, configSha256, applied, applyError, createdAt,
            ])
    }

    /// Makes a transition record; the stage id is filled in when it is recorded.
    package init(
        runId: String, command: RolloutCommand, fromPhase: RolloutPhase?, fromStep: Int?, fromWeight: Int?,
        toPhase: RolloutPhase,
        toStep: Int, toWeight: Int, reason: String, actor: String, forced: Bool, evidenceSha256: String?,
        idempotencyKey: String, configSha256: String, applied: String, applyError: String?, createdAt: String
    ) {
        self.runId = runId
        self.stageId = 0
        self.command = command
        self.fromPhase = fromPhase
        self.fromStep = fromStep
        self.fromWeight = fromWeight
        self.toPhase = toPhase
        self.toStep = toStep
        self.toWeight = toWeight
        self.reason = reason
        self.actor = actor
        self.forced = forced
        self.evidenceSha256 = evidenceSha256
        self.idempotencyKey = idempotencyKey
        self.configSha256 = configSha256
        self.applied = applied
        self.applyError = applyError
        self.createdAt = createdAt
    }
}

/// A passing gate found by its artifact's SHA-256.
package struct RecordedGate: Sendable, Equatable {
    package var runId: String
    package var agent: String
    package var candidateVersion: String
    package var baselineVersion: String
    package var verdict: GateVerdict
    /// The verdict of the run's latest gate: only that one counts when the run was gated again.
    package var latestVerdictOfRun: String
    /// Whether this is the run's latest gate.
    package var isLatestOfRun: Bool

    /// The columns the query selects, in order.
    enum Column: Int, LedgerColumns {
        case runId, agent, candidateVersion, baselineVersion, verdict, latestVerdict, isLatest
    }
}

extension Ledger {
    /// The gate whose `gate-result` artifact has this SHA-256, if one was recorded.
    package func gate(artifactSha256: String) throws(LedgerError) -> RecordedGate? {
        try read { session in
            let row = try session.row(
                """
                SELECT g.run_id, g.agent, g.candidate_version, g.baseline_version, g.verdict,
                    latest.verdict AS latest_verdict, CASE WHEN latest.id = g.id THEN 1 ELSE 0 END AS is_latest
                FROM gate_results g JOIN artifacts a ON a.id = g.artifact_id
                JOIN gate_results latest ON latest.id = (
                    SELECT max(id) FROM gate_results WHERE run_id = g.run_id)
                WHERE a.sha256 = ? AND a.kind = 'gate-result'
                ORDER BY g.id DESC LIMIT 1
                """, arguments: [artifactSha256])
            return try row.map { row in
                typealias Column = RecordedGate.Column
                return RecordedGate(
                    runId: try row[Column.runId], agent: try row[Column.agent],
                    candidateVersion: try row[Column.candidateVersion],
                    baselineVersion: try row[Column.baselineVersion],
                    verdict: try row[Column.verdict], latestVerdictOfRun: try row[Column.latestVerdict],
                    isLatestOfRun: try row[Column.isLatest])
            }
        }
    }

    /// Whether an artifact of `kind` with this SHA-256 was recorded for the run.
    package func hasArtifact(kind: String, sha256: String, runId: String) throws(LedgerError) -> Bool {
        try read { session in
            let count: Int64? = try session.scalar(
                "SELECT count(*) FROM artifacts WHERE kind = ? AND sha256 = ? AND run_id = ?",
                arguments: [kind, sha256, runId])
            return (count ?? 0) > 0
        }
    }

    /// The rollout of a run, if it started one.
    package func rollout(runId: String) throws(LedgerError) -> RolloutRecord? {
        try read { session in try RolloutRecord.fetch(runId: runId, session) }
    }

    /// The most recently updated rollout, optionally of one agent.
    package func latestRollout(agent: String? = nil) throws(LedgerError) -> RolloutRecord? {
        try read { session in
            try session.row(
                """
                SELECT \(RolloutRecord.Column.selectList(alias: "o")) FROM rollouts o JOIN runs r ON r.id = o.run_id
                \(agent == nil ? "" : "WHERE r.agent = ?")
                ORDER BY o.updated_at DESC, o.\(session.dialect.arrivalOrder) DESC LIMIT 1
                """, arguments: agent.map { [$0] } ?? []
            ).map(RolloutRecord.init)
        }
    }

    /// The rollouts of `agent` still progressing or paused, the most recently updated first.
    package func activeRollouts(agent: String) throws(LedgerError) -> [RolloutRecord] {
        try read { session in
            try session.rows(
                """
                SELECT \(RolloutRecord.Column.selectList(alias: "o")) FROM rollouts o JOIN runs r ON r.id = o.run_id
                WHERE r.agent = ? AND o.phase IN ('progressing', 'paused')
                ORDER BY o.updated_at DESC, o.\(session.dialect.arrivalOrder) DESC
                """, arguments: [agent]
            ).map(RolloutRecord.init)
        }
    }

    /// The agents that have a run, by name.
    package func agents() throws(LedgerError) -> [String] {
        try read { session in
            try session.rows("SELECT DISTINCT agent FROM runs ORDER BY agent").map { row -> String in try row.scalar() }
        }
    }

    /// The transitions of a run, oldest first.
    package func transitions(runId: String) throws(LedgerError) -> [TransitionRecord] {
        try read { session in
            try session.rows(
                "SELECT \(TransitionRecord.Column.selectList()) FROM rollout_transitions WHERE run_id = ? ORDER BY id",
                arguments: [runId]
            ).map(TransitionRecord.init)
        }
    }

    /// Records a transition with its stage and output files, and stores the rollout's new state, in one
    /// transaction. When `retryOf` names the transition being retried, its apply status is updated
    /// instead of a new row being written.
    @discardableResult
    package func recordTransition(
        _ transition: TransitionRecord?, state: RolloutRecord, stage: StageInvocation, outputs: [OutputFile],
        retryOf: Int64? = nil, newRun: RunRecord? = nil
    ) throws(LedgerError) -> Int64? {
        try write { session in
            // Compare and set: a transition is written only from the state it was computed from, so the
            // ledger's transitions always chain, whatever runs at the same time.
            if let transition, retryOf == nil {
                let stored = try RolloutRecord.fetch(runId: state.runId, session)
                if transition.fromPhase == nil, stored != nil {
                    throw LedgerError.staleRollout(runId: state.runId, reason: "its rollout was started meanwhile")
                }
                if let from = transition.fromPhase,
                    stored?.phase != from || stored?.stepIndex != transition.fromStep
                        || stored?.weight != transition.fromWeight
                {
                    throw LedgerError.staleRollout(
                        runId: state.runId,
                        reason:
                            "the rollout moved meanwhile (now \(stored?.phase.rawValue ?? "gone") at \(stored?.weight ?? 0) %)"
                    )
                }
            }
            if try RunRecord.fetch(id: state.runId, session) == nil {
                guard let newRun else { throw LedgerError.notFound(what: "run \(state.runId)") }
                try newRun.insert(session)
            }
            let stageId = try insertStage(stage, runId: state.runId, session)
            _ = try insertArtifacts(outputs, runId: state.runId, stageId: stageId, createdAt: stage.endedAt, session)
            try state.save(session)
            let status =
                switch state.phase {
                case .promoted, .rolledBack: state.phase.rawValue
                case .progressing, .paused: "canary"
                }
            try session.execute("UPDATE runs SET status = ? WHERE id = ?", arguments: [status, state.runId])
            guard let transition else { return nil }
            if let retryOf {
                try session.execute(
                    "UPDATE rollout_transitions SET applied = ?, apply_error = ? WHERE id = ?",
                    arguments: [transition.applied, transition.applyError, retryOf])
                return retryOf
            }
            var record = transition
            record.stageId = stageId
            return try record.insert(session)
        }
    }
}

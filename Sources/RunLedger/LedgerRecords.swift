import Foundation

/// A run: one candidate release attempt of one agent.
package struct RunRecord: Codable, Equatable, Sendable {
    package var id: String
    package var agent: String
    package var candidateVersion: String
    package var baselineVersion: String
    package var createdAt: String
    /// `gate_passed`, `gate_failed`, `gate_inconclusive`; later stages move it on.
    package var status: String

    enum CodingKeys: String, CodingKey {
        case id, agent, status
        case candidateVersion = "candidate_version"
        case baselineVersion = "baseline_version"
        case createdAt = "created_at"
    }

    /// The columns of `runs`, in the order the record reads them.
    enum Column: Int, LedgerColumns {
        case id, agent, candidateVersion, baselineVersion, createdAt, status
    }

    /// Makes a run record.
    package init(
        id: String, agent: String, candidateVersion: String, baselineVersion: String, createdAt: String,
        status: String
    ) {
        self.id = id
        self.agent = agent
        self.candidateVersion = candidateVersion
        self.baselineVersion = baselineVersion
        self.createdAt = createdAt
        self.status = status
    }

    init(row: SQLRow) throws {
        self.init(
            id: try row[Column.id], agent: try row[Column.agent], candidateVersion: try row[Column.candidateVersion],
            baselineVersion: try row[Column.baselineVersion], createdAt: try row[Column.createdAt],
            status: try row[Column.status])
    }

    /// The run with `id`, if any.
    static func fetch(id: String, _ session: any LedgerSession) throws -> RunRecord? {
        try session.row("SELECT \(Column.selectList()) FROM runs WHERE id = ?", arguments: [id]).map(RunRecord.init)
    }

    func insert(_ session: any LedgerSession) throws {
        try session.execute(
            "INSERT INTO runs (\(Column.selectList())) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [id, agent, candidateVersion, baselineVersion, createdAt, status])
    }
}

/// One invocation of a tool for a run.
package struct StageRecord: Codable, Equatable, Sendable {
    package var id: Int64?
    package var runId: String
    package var tool: String
    package var toolVersion: String
    /// The command-line arguments as a JSON array (PostgreSQL passwords masked).
    package var arguments: String
    package var startedAt: String
    package var endedAt: String
    package var exitStatus: Int

    /// Makes a stage record.
    package init(
        runId: String, tool: String, toolVersion: String, arguments: String, startedAt: String, endedAt: String,
        exitStatus: Int
    ) {
        self.runId = runId
        self.tool = tool
        self.toolVersion = toolVersion
        self.arguments = arguments
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.exitStatus = exitStatus
    }

    /// Inserts the stage and returns its id.
    func insert(_ session: any LedgerSession) throws -> Int64 {
        try session.insertReturningID(
            """
            INSERT INTO stages (run_id, tool, tool_version, arguments, started_at, ended_at, exit_status)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [runId, tool, toolVersion, arguments, startedAt, endedAt, exitStatus])
    }
}

/// A file a stage wrote, with its SHA-256.
package struct ArtifactRecord: Codable, Equatable, Sendable {
    package var id: Int64?
    package var runId: String
    package var stageId: Int64
    package var kind: String
    package var path: String
    package var sha256: String
    package var createdAt: String

    /// Inserts the artifact and returns its id.
    func insert(_ session: any LedgerSession) throws -> Int64 {
        try session.insertReturningID(
            "INSERT INTO artifacts (run_id, stage_id, kind, path, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [runId, stageId, kind, path, sha256, createdAt])
    }
}

/// A benchmark results file kept in the ledger, so a later gate can use it as its baseline.
package struct BenchmarkSuiteRecord: Codable, Equatable, Sendable {
    package var sha256: String
    package var format: String
    package var byteCount: Int
    package var content: Data

    /// Inserts the suite unless the same bytes are stored already.
    func insertIfMissing(_ session: any LedgerSession) throws {
        try session.execute(
            """
            INSERT INTO benchmark_suites (sha256, format, byte_count, content) VALUES (?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """, arguments: [sha256, format, byteCount, content])
    }
}

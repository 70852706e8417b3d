import Foundation
import GRDB

/// A run: one candidate release attempt of one agent.
package struct RunRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "runs"

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

    package enum Columns {
        package static let id = Column(CodingKeys.id)
        package static let agent = Column(CodingKeys.agent)
        package static let status = Column(CodingKeys.status)
        package static let createdAt = Column(CodingKeys.createdAt)
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
}

/// One invocation of a tool for a run.
package struct StageRecord: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    package static let databaseTableName = "stages"

    package var id: Int64?
    package var runId: String
    package var tool: String
    package var toolVersion: String
    /// The command-line arguments as a JSON array.
    package var arguments: String
    package var startedAt: String
    package var endedAt: String
    package var exitStatus: Int

    enum CodingKeys: String, CodingKey {
        case id, tool, arguments
        case runId = "run_id"
        case toolVersion = "tool_version"
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case exitStatus = "exit_status"
    }

    package mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

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
}

/// A file a stage wrote, with its SHA-256.
package struct ArtifactRecord: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    package static let databaseTableName = "artifacts"

    package var id: Int64?
    package var runId: String
    package var stageId: Int64
    package var kind: String
    package var path: String
    package var sha256: String
    package var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, kind, path, sha256
        case runId = "run_id"
        case stageId = "stage_id"
        case createdAt = "created_at"
    }

    package enum Columns {
        package static let sha256 = Column(CodingKeys.sha256)
        package static let kind = Column(CodingKeys.kind)
        package static let runId = Column(CodingKeys.runId)
    }

    package mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A benchmark results file kept in the ledger, so a later gate can use it as its baseline.
package struct BenchmarkSuiteRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "benchmark_suites"

    package var sha256: String
    package var format: String
    package var byteCount: Int
    package var content: Data

    enum CodingKeys: String, CodingKey {
        case sha256, format, content
        case byteCount = "byte_count"
    }
}

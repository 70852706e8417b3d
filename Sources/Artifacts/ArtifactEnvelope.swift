import Foundation

/// The release of AgentCanary these tools belong to; written into every artifact and ledger row.
package let agentCanaryVersion = "0.1.0"

/// The tool that wrote an artifact.
package struct ToolInfo: Codable, Equatable, Sendable {
    /// The executable's name, for example `benchmark-gate`.
    package var name: String
    /// The AgentCanary release.
    package var version: String

    /// Describes the tool `name` of this release.
    package init(name: String, version: String = agentCanaryVersion) {
        self.name = name
        self.version = version
    }
}

/// One input file an artifact was computed from, identified by its SHA-256.
package struct InputFile: Codable, Equatable, Sendable {
    /// The path as given on the command line.
    package var path: String
    /// Lower-case hex SHA-256 of the file's bytes.
    package var sha256: String
    /// What the input was used as (`candidate`, `baseline`, `policy`, …).
    package var role: String

    /// Describes an input file.
    package init(path: String, sha256: String, role: String) {
        self.path = path
        self.sha256 = sha256
        self.role = role
    }
}

/// The fields every AgentCanary artifact starts with (DESIGN.md, "Artifacts are JSON").
package struct ArtifactEnvelope: Codable, Equatable, Sendable {
    /// The artifact's schema identifier, for example `agent-canary/gate-result/v1`.
    package var schema: String
    /// The run (one candidate release attempt) the artifact belongs to.
    package var runId: String
    /// When the artifact was made, ISO-8601 UTC with seconds; see ``ArtifactClock``.
    package var createdAt: String
    /// The tool that wrote it.
    package var tool: ToolInfo
    /// The files it was computed from.
    package var inputs: [InputFile]

    /// Makes an envelope.
    package init(schema: String, runId: String, createdAt: String, tool: ToolInfo, inputs: [InputFile]) {
        self.schema = schema
        self.runId = runId
        self.createdAt = createdAt
        self.tool = tool
        self.inputs = inputs
    }
}

/// The time written into artifacts and ledger rows.
///
/// `SOURCE_DATE_EPOCH` (seconds since 1970, the reproducible-builds convention) fixes it, so golden files
/// and re-runs produce identical bytes.
package enum ArtifactClock {
    /// The current time, or the time `SOURCE_DATE_EPOCH` fixes.
    package static func now(environment: [String: String] = ProcessInfo.processInfo.environment) -> Date {
        if let epoch = environment["SOURCE_DATE_EPOCH"], let seconds = TimeInterval(epoch) {
            return Date(timeIntervalSince1970: seconds)
        }
        return Date()
    }

    /// Formats a date as ISO-8601 UTC with whole seconds, for example `2026-11-26T15:02:07Z`.
    package static func iso8601(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T"
            + "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2))Z"
    }
}

import Foundation
import ToolContract

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

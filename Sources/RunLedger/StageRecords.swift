/// One invocation of a tool, recorded with what it produced.
package struct StageInvocation: Sendable, Equatable {
    /// The tool's name.
    package var tool: String
    /// The command-line arguments (without the executable).
    package var arguments: [String]
    /// When the invocation started (ISO-8601).
    package var startedAt: String
    /// When it ended (ISO-8601).
    package var endedAt: String
    /// Its exit status.
    package var exitStatus: Int32

    /// Describes an invocation.
    package init(tool: String, arguments: [String], startedAt: String, endedAt: String, exitStatus: Int32) {
        self.tool = tool
        self.arguments = arguments
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.exitStatus = exitStatus
    }
}

/// A file a stage wrote.
package struct OutputFile: Sendable, Equatable {
    /// `gate-result`, `junit`, `summary`, `dotenv`, …
    package var kind: String
    /// The path it was written to.
    package var path: String
    /// SHA-256 of its bytes.
    package var sha256: String

    /// Describes an output file.
    package init(kind: String, path: String, sha256: String) {
        self.kind = kind
        self.path = path
        self.sha256 = sha256
    }
}

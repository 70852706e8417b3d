import Foundation
import ToolContract
import ToolFiles

/// Where a tool's CI report goes, from its flags and the environment.
package struct CIDestinations: Sendable, Equatable {
    /// `--junit PATH`.
    package var junitPath: String?
    /// `--summary PATH`.
    package var summaryPath: String?
    /// `--dotenv PATH`.
    package var dotenvPath: String?

    /// Makes destinations.
    package init(junitPath: String? = nil, summaryPath: String? = nil, dotenvPath: String? = nil) {
        self.junitPath = junitPath
        self.summaryPath = summaryPath
        self.dotenvPath = dotenvPath
    }
}

/// Publishes a ``CIReport``: files requested by flags, and GitHub Actions' files and annotations when the
/// tool runs there (`GITHUB_ACTIONS=true`).
package struct CIPublisher {
    let environment: [String: String]

    /// A publisher reading the given environment.
    package init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Whether the tool runs under GitHub Actions.
    package var isGitHubActions: Bool { environment["GITHUB_ACTIONS"] == "true" }

    /// Renders the requested report files and stages them with the tool's other outputs, so they appear
    /// together or not at all. Returns the files staged, by kind, with their bytes.
    package func stageFiles(_ report: CIReport, to destinations: CIDestinations, in staged: StagedFiles)
        throws(ArtifactError) -> [(kind: String, path: String, data: Data)]
    {
        var files: [(kind: String, path: String, data: Data)] = []
        if let path = destinations.junitPath { files.append(("junit", path, Data(CIRenderer.junit(report).utf8))) }
        if let path = destinations.summaryPath {
            files.append(("summary", path, Data(CIRenderer.markdown(report).utf8)))
        }
        if let path = destinations.dotenvPath {
            files.append(("dotenv", path, Data(CIRenderer.dotenv(report).text.utf8)))
        }
        for file in files { try staged.stage(file.data, at: file.path) }
        return files
    }

    /// Appends to `$GITHUB_OUTPUT` and `$GITHUB_STEP_SUMMARY` and returns the annotations to print, when
    /// under GitHub Actions; does nothing elsewhere.
    package func publishToGitHub(_ report: CIReport) throws(ArtifactError) -> [String] {
        guard isGitHubActions else { return [] }
        if let path = environment["GITHUB_OUTPUT"], !path.isEmpty {
            let delimiter = "ghadelimiter_\(UUID().uuidString)"
            try append(CIRenderer.githubOutput(report, delimiter: delimiter), to: path)
        }
        if let path = environment["GITHUB_STEP_SUMMARY"], !path.isEmpty {
            try append(CIRenderer.markdown(report), to: path)
        }
        return CIRenderer.githubAnnotations(report)
    }

    private func append(_ text: String, to path: String) throws(ArtifactError) {
        guard let handle = FileHandle(forWritingAtPath: path) ?? createThenOpen(path) else {
            throw .cannotWrite(path: path, reason: "cannot open for appending")
        }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            throw .cannotWrite(path: path, reason: error.localizedDescription)
        }
    }

    private func createThenOpen(_ path: String) -> FileHandle? {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return FileHandle(forWritingAtPath: path)
    }
}

import Foundation

/// Paths of the repository the tests run in.
package enum Repository {
    /// The repository's root directory.
    package static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// A path under the repository root.
    package static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// The directory holding the built products (the test bundle sits there too).
    package static let productsDirectory: URL = {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0])
        var directory = executable.deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("benchmark-gate").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug")
    }()
}

/// What a run of a built tool printed and how it exited.
package struct ToolResult: Sendable {
    /// The exit status (128 + signal when killed).
    package var status: Int32
    /// Standard output.
    package var stdout: String
    /// Standard error.
    package var stderr: String
}

/// Runs the project's built executables, as a user would.
package enum Tool {
    /// The path of a built executable.
    package static func path(_ name: String) -> String {
        Repository.productsDirectory.appendingPathComponent(name).path
    }

    /// Runs `name` with `arguments` in `directory` (the repository root by default) and waits for it.
    ///
    /// The environment is minimal and explicit, so a developer's `AGENT_CANARY_*` or `GITHUB_*` variables
    /// never leak into a test.
    package static func run(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil,
        stdin: Data? = nil
    ) throws -> ToolResult {
        let process = try start(name, arguments, environment: environment, in: directory, stdin: stdin)
        process.process.waitUntilExit()
        return process.finish()
    }

    /// Starts `name` without waiting; call ``RunningTool/finish()`` after it exited.
    package static func start(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil,
        stdin: Data? = nil
    ) throws -> RunningTool {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path(name))
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? Repository.root
        var base = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LANG": "C.UTF-8"]
        if let home = ProcessInfo.processInfo.environment["HOME"] { base["HOME"] = home }
        process.environment = base.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        if let stdin {
            let input = scratch.appendingPathComponent("stdin")
            try stdin.write(to: input)
            process.standardInput = try FileHandle(forReadingFrom: input)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        return RunningTool(process: process, scratch: scratch)
    }
}

/// A tool started by ``Tool/start(_:_:environment:in:stdin:)``.
package struct RunningTool {
    /// The process.
    package let process: Process
    let scratch: URL

    /// What the process has written to stderr so far.
    package var stderrSoFar: String {
        (try? String(contentsOf: scratch.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
    }

    /// Collects the output of the exited process.
    package func finish() -> ToolResult {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let stdout = (try? String(contentsOf: scratch.appendingPathComponent("stdout"), encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: scratch.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
        let status =
            process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return ToolResult(status: status, stdout: stdout, stderr: stderr)
    }
}

/// A directory deleted when the value goes away.
package final class TemporaryDirectory: Sendable {
    /// The directory.
    package let url: URL

    /// Creates a new empty directory.
    package init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("agent-canary-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    package func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// Writes `text` to `name` inside the directory and returns its path.
    @discardableResult
    package func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    /// The names of the files in the directory (recursively), sorted, with their contents' bytes.
    package func snapshot() throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil)
        while let file = enumerator?.nextObject() as? URL {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[String(file.path.dropFirst(url.path.count + 1))] = try Data(contentsOf: file)
            }
        }
        return files
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

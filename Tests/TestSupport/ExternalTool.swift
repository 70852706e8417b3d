import Foundation
import Testing

/// A program from outside the package that some tests need, and where it comes from.
///
/// `swift test` alone runs on a machine that has only Swift: a test that needs a missing tool is skipped
/// with a message naming the package. Where the tools must be present — `CI` set (as every CI service sets
/// it) or `AGENT_CANARY_REQUIRE_TOOLS=1`, which `Tests/run-all` sets after `Tests/setup` — the test runs,
/// and the missing tool fails it.
package struct ExternalTool: Sendable, CustomStringConvertible {
    /// The program's name.
    package let name: String
    /// Where it comes from: a Debian package, or the Python environment `Tests/setup` makes.
    package let source: String
    private let locate: @Sendable () -> String?

    init(_ name: String, from source: String, locate: @escaping @Sendable () -> String?) {
        self.name = name
        self.source = source
        self.locate = locate
    }

    init(debian name: String, package: String? = nil) {
        self.init(name, from: "Debian package \(package ?? name)") { Services.which(name) }
    }

    /// The program's path, when it is installed.
    package var path: String? { locate() }

    package var description: String { "\(name) (\(source))" }

    /// The program's path; throws an error naming the package when it is missing.
    package func require() throws -> String {
        guard let path else { throw MissingTool(tool: self) }
        return path
    }

    /// Whether a missing tool fails a test instead of skipping it.
    package static let mustBePresent: Bool = {
        let environment = ProcessInfo.processInfo.environment
        let ci = (environment["CI"] ?? "").lowercased()
        return environment["AGENT_CANARY_REQUIRE_TOOLS"] == "1" || !["", "0", "false", "no"].contains(ci)
    }()

    /// nginx, for the routing end-to-end tests and `nginx -t`.
    package static let nginx = ExternalTool(debian: "nginx")
    /// The Prometheus server.
    package static let prometheus = ExternalTool(debian: "prometheus")
    /// promtool, from the Prometheus package.
    package static let promtool = ExternalTool(debian: "promtool", package: "prometheus")
    /// Headless Chromium, for the HTML report.
    package static let chromium = ExternalTool("chromium", from: "Debian package chromium") {
        Services.which("chromium") ?? Services.which("chromium-browser")
    }
    /// curl, for Prometheus's HTTP API.
    package static let curl = ExternalTool(debian: "curl")
    /// The SQLite shell, to read a ledger as a user would.
    package static let sqlite3 = ExternalTool(debian: "sqlite3")
    /// The system's Python 3 (standard library only).
    package static let python3 = ExternalTool(debian: "python3")
    /// The Python of the environment `Tests/setup` makes (`.venv`, or `AGENT_CANARY_VENV`): the validators,
    /// Hugging Face `datasets`, Pillow.
    package static let pythonEnvironment = ExternalTool(
        "the Python environment", from: "Tests/setup makes it from Tests/Validation/requirements.txt"
    ) {
        let python = URL(fileURLWithPath: PythonEnvironment.directory).appendingPathComponent("bin/python").path
        return FileManager.default.isExecutableFile(atPath: python) ? python : nil
    }
}

/// The directory of the tests' Python environment.
package enum PythonEnvironment {
    /// `AGENT_CANARY_VENV`, else `.venv` in the repository.
    package static var directory: String {
        ProcessInfo.processInfo.environment["AGENT_CANARY_VENV"] ?? Repository.path(".venv")
    }
}

/// A tool a test needs is not installed.
package struct MissingTool: Error, CustomStringConvertible {
    /// The missing tool.
    package let tool: ExternalTool

    package var description: String { "\(tool.name) is not installed (\(tool.source)); run Tests/setup" }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test where `tools` are installed; elsewhere skips it with a message naming their packages,
    /// unless ``ExternalTool/mustBePresent``.
    package static func requires(_ tools: ExternalTool...) -> Self {
        // The comment is made when the tests are discovered: it names what is missing then.
        let missing = tools.filter { $0.path == nil }
        let names = (missing.isEmpty ? tools : missing).map(\.description).joined(separator: ", ")
        return .enabled(Comment(rawValue: "needs \(names); run Tests/setup")) {
            ExternalTool.mustBePresent || tools.allSatisfy { $0.path != nil }
        }
    }
}

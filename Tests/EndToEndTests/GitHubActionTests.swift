import Foundation
import TestSupport
import Testing
import Yams

/// The GitHub action's `args` input reaches the tool as data: the action's run step is
/// `pipelines/github/stage.sh`, which these tests run as the action does, with the built tools on the PATH.
@Suite("the GitHub action's arguments")
struct GitHubActionTests {
    /// Runs `pipelines/github/stage.sh` in `directory` with the action's environment.
    static func stage(_ stage: String, args: String, in directory: URL) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Repository.path("pipelines/github/stage.sh")]
        process.currentDirectoryURL = directory
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        process.environment = [
            "PATH": "\(Repository.productsDirectory.path):\(path)", "LANG": "C.UTF-8", "STAGE": stage,
            "ARGS": args, "GITHUB_OUTPUT": directory.appendingPathComponent("github-output").path,
            "LEDGER_INPUT": directory.appendingPathComponent("ledger.sqlite").path,
        ]
        let errors = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: errors, encoding: .utf8))
    }

    @Test("an argument holding $(…), backticks, ; and spaces reaches the tool as one literal argument")
    func hostileArgument() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.copyItem(
            atPath: Repository.path("pipelines/local/example/canary.yaml"), toPath: directory.path("canary.yaml"))
        let hostile = "$(touch made-by-dollar)`touch made-by-backtick`;touch made-by-semicolon --apply x.jsonl"
        let args = ["--candidate", hostile, "", "--baseline", "baseline.jsonl", "--policy", "canary.yaml"]
            .joined(separator: "\n")
        let result = try Self.stage("benchmark-gate", args: args, in: directory.url)

        // The tool could not read a file of that name, and said so with the name as written.
        #expect(result.status == 66, "\(result.stderr)")
        #expect(result.stderr.contains(hostile), "\(result.stderr)")
        for made in ["made-by-dollar", "made-by-backtick", "made-by-semicolon"] {
            #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent(made).path), "\(made)")
        }
        let output = try String(contentsOf: directory.url.appendingPathComponent("github-output"), encoding: .utf8)
        #expect(output.contains("exit_status=66"), "\(output)")
    }

    @Test("a stage that is not one of the four tools is refused before anything runs")
    func unknownStage() throws {
        let directory = try TemporaryDirectory()
        let result = try Self.stage("$(touch made)", args: "", in: directory.url)
        #expect(result.status == 64)
        #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("made").path))
    }

    @Test("the action runs stage.sh and evaluates no input as shell")
    func actionFile() throws {
        let text = try String(contentsOfFile: Repository.path("pipelines/github/action.yml"), encoding: .utf8)
        let document = try #require(try Yams.compose(yaml: text))
        let steps = try #require(document["runs"]?["steps"]?.sequence)
        let stage = try #require(steps.first { $0["id"]?.string == "stage" })
        #expect(stage["run"]?.string == "\"$GITHUB_ACTION_PATH/stage.sh\"")
        for step in steps {
            let run = step["run"]?.string ?? ""
            #expect(!run.contains("eval"), "\(run)")
            // Inputs reach scripts through the environment, never as ${{ }} inside the script's text.
            #expect(!run.contains("${{"), "\(run)")
        }
    }
}

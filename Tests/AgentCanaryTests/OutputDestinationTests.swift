import Foundation
import TestSupport
import Testing

/// What an output path names is respected: a regular file is replaced, a link keeps pointing where it did, a
/// device, a pipe or a descriptor is written into, and a directory is refused before the ledger records
/// anything (every tool stages its outputs through the same `StagedFiles`).
@Suite("Output destinations")
struct OutputDestinationTests {
    static let fixtures = "Tests/AgentCanaryTests/Fixtures/native/pass"

    /// A passing gate in `directory` with `flags` added.
    static func gate(_ flags: [String], in directory: TemporaryDirectory) throws -> ToolResult {
        try Tool.run(
            "benchmark-gate",
            [
                "--agent", "support-agent", "--candidate", Repository.path("\(fixtures)/candidate.jsonl"), "--baseline",
                Repository.path("\(fixtures)/baseline.jsonl"), "--ledger", "ledger.sqlite",
            ] + flags, in: directory.url)
    }

    @Test("an output path that is a directory: exit 70 before the ledger records the gate")
    func directory() throws {
        let directory = try TemporaryDirectory()
        try directory.write("taken/keep.txt", "mine\n")
        for flags in [["--output", "taken"], ["--output", "gate.json", "--junit", "taken"]] {
            let result = try Self.gate(flags, in: directory)
            #expect(result.status == 70, "\(result.stderr)")
            #expect(result.stderr.contains("taken: cannot be written: it is a directory"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory.path("ledger.sqlite")))
            #expect(!FileManager.default.fileExists(atPath: directory.path("gate.json")))
        }
        #expect(try directory.snapshot() == ["taken/keep.txt": Data("mine\n".utf8)])
    }

    @Test("a link keeps pointing where it did; the file it points to gets the output")
    func link() throws {
        let directory = try TemporaryDirectory()
        try directory.write("reports/summary.md", "old\n")
        try FileManager.default.createSymbolicLink(
            atPath: directory.path("summary.md"), withDestinationPath: "reports/summary.md")
        let result = try Self.gate(["--summary", "summary.md"], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: directory.path("summary.md"))
                == "reports/summary.md")
        #expect(try String(contentsOfFile: directory.path("reports/summary.md"), encoding: .utf8).hasPrefix("## "))
    }

    @Test("a named pipe, a descriptor link and /dev/null are written into, never replaced")
    func devices() throws {
        let directory = try TemporaryDirectory()
        #expect(mkfifo(directory.path("pipe"), 0o600) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/sh")
        reader.arguments = ["-c", "cat \"$0\" > \"$1\"", directory.path("pipe"), directory.path("read.md")]
        try reader.run()
        try FileManager.default.createSymbolicLink(
            atPath: directory.path("err"), withDestinationPath: "/proc/self/fd/2")
        let result = try Self.gate(
            ["--summary", "pipe", "--junit", "/dev/null", "--dotenv", "err", "--output", "gate.json"], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        reader.waitUntilExit()
        #expect(try String(contentsOfFile: directory.path("read.md"), encoding: .utf8).hasPrefix("## "))
        var info = stat()
        #expect(lstat(directory.path("pipe"), &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory.path("err")) == "/proc/self/fd/2")
        // The dotenv file went to the tool's stderr, after what the tool itself wrote there.
        #expect(result.stderr.contains("AGENT_CANARY_VERDICT=pass"), "\(result.stderr)")
    }
}

import Foundation
import TestSupport
import Testing
import ToolFiles

/// What an output or ledger path names is respected: a regular file is replaced, a link keeps pointing where
/// it did, a device, a pipe or a descriptor is written into, a directory is refused before the ledger records
/// anything (every tool stages its outputs through the same `StagedFiles`); another application's database
/// is never migrated into, and `feedback-export` replaces only a directory that holds its own dataset.
@Suite("Output destinations")
struct OutputDestinationTests {
    static let fixtures = "Tests/Fixtures/native/pass"

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

    @Test("another application's SQLite file as --ledger: exit 65, the file byte for byte as it was")
    func foreignLedger() throws {
        let directory = try TemporaryDirectory()
        let sqlite3 = try ExternalTool.sqlite3.require()
        for (name, sql) in [
            ("app.db", "CREATE TABLE runs(id INTEGER PRIMARY KEY, note TEXT); INSERT INTO runs(note) VALUES ('mine');"),
            (
                "grdb-app.db",
                "CREATE TABLE grdb_migrations(identifier TEXT NOT NULL PRIMARY KEY); INSERT INTO grdb_migrations VALUES ('v1-users');"
            ),
        ] {
            let made = try runCommand(sqlite3, [directory.path(name), sql])
            try #require(made.status == 0, "\(made.output)")
        }
        let before = try directory.snapshot()
        for name in ["app.db", "grdb-app.db"] {
            let result = try Tool.run(
                "benchmark-gate",
                [
                    "--agent", "support-agent", "--candidate", Repository.path("\(Self.fixtures)/candidate.jsonl"),
                    "--baseline", Repository.path("\(Self.fixtures)/baseline.jsonl"), "--ledger", name, "--output",
                    "gate.json",
                ], in: directory.url)
            #expect(result.status == 65, "\(result.stderr)")
            #expect(result.stderr.hasPrefix("error: \(name) is not an AgentCanary ledger"), "\(result.stderr)")
        }
        #expect(try directory.snapshot() == before)
    }

    @Test("feedback-export replaces only a missing or empty directory or its own dataset")
    func exportDirectory() throws {
        let directory = try TemporaryDirectory()
        let made = try Self.gate(["--output", "gate.json"], in: directory)
        try #require(made.status == 0, "\(made.stderr)")
        func export(_ outDir: String, ledger: String = "ledger.sqlite") throws -> ToolResult {
            try Tool.run(
                "feedback-export", ["--all", "--kind", "all", "--out-dir", outDir, "--ledger", ledger],
                in: directory.url)
        }
        try directory.write("work/notes.txt", "mine\n")
        try directory.write("file.txt", "mine too\n")
        let before = try directory.snapshot()
        for outDir in [".", "work", "file.txt"] {
            let refused = try export(outDir)
            #expect(refused.status == 64, "\(outDir): \(refused.stderr)")
            #expect(refused.stderr.contains("--out-dir \(outDir): "), "\(refused.stderr)")
        }
        #expect(try directory.snapshot() == before)
        // Its own dataset is replaced, again and again; an empty directory too.
        #expect(try export("dataset").status == 0)
        #expect(try export("dataset").status == 0)
        try FileManager.default.createDirectory(atPath: directory.path("empty"), withIntermediateDirectories: true)
        #expect(try export("empty").status == 0)
        // A dataset directory that holds the ledger is not replaced.
        try FileManager.default.copyItem(
            atPath: directory.path("ledger.sqlite"), toPath: directory.path("dataset/ledger.sqlite"))
        let holding = try export("dataset", ledger: "dataset/ledger.sqlite")
        #expect(holding.status == 64 && holding.stderr.contains("it holds the ledger"), "\(holding.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.path("dataset/ledger.sqlite")))
    }
}

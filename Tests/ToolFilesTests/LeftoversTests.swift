import Foundation
import TestSupport
import Testing
import ToolContract
import ToolFiles

/// What killed processes leave beside outputs: found only when their process is gone, brought forward only
/// when they hold what the ledger recorded.
@Suite("Leftover temporaries")
struct LeftoversTests {
    /// The id of a process that has exited.
    static func goneProcess() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test("a live process's temporary is never a leftover; a gone one's and an unnamed one's are")
    func liveness() throws {
        let directory = try TemporaryDirectory()
        let uuid = UUID().uuidString
        let gone = try Self.goneProcess()
        try directory.write(".out.json.\(getpid())-\(uuid).tmp", "mine")
        try directory.write(".out.json.\(gone)-\(uuid).tmp", "gone")
        try directory.write(".out.json.\(uuid).tmp", "old naming")
        try directory.write(".other.json.\(gone)-\(uuid).tmp", "another output")
        try directory.write(".out.json.notes.tmp", "not ours")
        let found = Leftovers.find(for: "out.json", in: directory.url).map(\.lastPathComponent)
        #expect(found.sorted() == [".out.json.\(gone)-\(uuid).tmp", ".out.json.\(uuid).tmp"].sorted())
    }

    @Test("the leftover holding the recorded bytes is renamed into place; the others are removed")
    func reconcile() throws {
        let directory = try TemporaryDirectory()
        let gone = try Self.goneProcess()
        try directory.write("out.json", "old")
        try directory.write(".out.json.\(gone)-\(UUID().uuidString).tmp", "recorded")
        try directory.write(".out.json.\(gone)-\(UUID().uuidString).tmp", "never recorded")
        let recorded = Digest.sha256(Data("recorded".utf8))
        #expect(Leftovers.reconcile(destination: directory.path("out.json"), recordedSHA256: recorded))
        #expect(try String(contentsOfFile: directory.path("out.json"), encoding: .utf8) == "recorded")
        #expect(Leftovers.find(for: "out.json", in: directory.url).isEmpty)
        // In place already: nothing to bring forward.
        try directory.write(".out.json.\(gone)-\(UUID().uuidString).tmp", "recorded")
        #expect(!Leftovers.reconcile(destination: directory.path("out.json"), recordedSHA256: recorded))
        #expect(Leftovers.find(for: "out.json", in: directory.url).isEmpty)
    }
}

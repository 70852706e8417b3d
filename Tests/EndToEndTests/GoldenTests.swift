import Foundation
import TestSupport
import Testing

/// The golden-file check itself: a recording run writes the file and never passes.
@Suite("Golden files")
struct GoldenTests {
    @Test("recording writes the file and fails; the next run compares it")
    func recordingFails() throws {
        let directory = try TemporaryDirectory()
        withKnownIssue("recording always records an issue") {
            Golden.check("first\n", "new/output.txt", in: directory.url.path, record: true)
        }
        #expect(try String(contentsOfFile: directory.path("new/output.txt"), encoding: .utf8) == "first\n")
        // Recording the same text again still fails: a recording run can never pass.
        withKnownIssue("recording always records an issue") {
            Golden.check("first\n", "new/output.txt", in: directory.url.path, record: true)
        }
        Golden.check("first\n", "new/output.txt", in: directory.url.path, record: false)
    }

    @Test("a difference or a missing golden file fails without touching the file")
    func differenceFails() throws {
        let directory = try TemporaryDirectory()
        try directory.write("output.txt", "one\ntwo\n")
        withKnownIssue("the second line differs") {
            Golden.check("one\nthree\n", "output.txt", in: directory.url.path, record: false)
        }
        withKnownIssue("no golden file") {
            Golden.check("one\n", "missing.txt", in: directory.url.path, record: false)
        }
        #expect(try String(contentsOfFile: directory.path("output.txt"), encoding: .utf8) == "one\ntwo\n")
        #expect(!FileManager.default.fileExists(atPath: directory.path("missing.txt")))
    }
}

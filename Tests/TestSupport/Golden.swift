import Foundation
import Testing

/// Golden files under `Tests/Golden`: text a test compares its output with.
///
/// `RECORD_SNAPSHOTS=1` writes the output over the golden file and fails the test, as swift-argument-parser's
/// `assertSnapshot` does, so that a recording run never passes: run the tests again without it to compare.
package enum Golden {
    /// The golden file's path.
    package static func path(_ name: String) -> String {
        Repository.path("Tests/Golden/\(name)")
    }

    /// Whether this run records golden files.
    package static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" }

    /// Records an issue unless `actual` equals the golden file `name`; records the file when asked to.
    ///
    /// `directory` and `record` default to the repository's golden files and `RECORD_SNAPSHOTS`; the tests of
    /// this function pass others.
    package static func check(
        _ actual: String, _ name: String, in directory: String? = nil, record: Bool = recording,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let url = URL(fileURLWithPath: directory.map { "\($0)/\(name)" } ?? path(name))
        if record {
            do {
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(actual.utf8).write(to: url)
                Issue.record(
                    "recorded \(name); run the test again without RECORD_SNAPSHOTS", sourceLocation: sourceLocation)
            } catch {
                Issue.record("could not record \(name): \(error)", sourceLocation: sourceLocation)
            }
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("no golden file \(name); RECORD_SNAPSHOTS=1 records it", sourceLocation: sourceLocation)
            return
        }
        guard actual != expected else { return }
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line =
            zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(actualLines.count, expectedLines.count)
        let was = line < expectedLines.count ? String(expectedLines[line]) : "(end of file)"
        let now = line < actualLines.count ? String(actualLines[line]) : "(end of output)"
        Issue.record(
            "\(name) differs from line \(line + 1): golden \"\(was)\", output \"\(now)\"; RECORD_SNAPSHOTS=1 re-records it",
            sourceLocation: sourceLocation)
    }
}

import Foundation
import RunLedger
import TestSupport
import Testing

/// `feedback-export --since-last` started several times at once on one selection: every record goes into
/// exactly one of the datasets, and the ledger's watermarks chain (each export starts where the one before
/// ended).
@Suite("feedback-export --since-last under concurrency")
struct FeedbackExportConcurrencyTests {
    @Test("four incremental exports at once export each record once; the watermarks chain")
    func concurrentIncrementalExports() throws {
        let directory = try TemporaryDirectory()
        let run = try LoopFixtures.startedRun(in: directory)
        try LoopFixtures.simulate(
            [
                "--scenario", "rogue", "--conversations", "600", "--weight", "50", "--start", "2026-11-26T00:01:00Z",
                "--out", "events.jsonl",
            ], in: directory)
        let look = try LoopFixtures.monitor(
            ["analyze", "--run", run, "--policy", "canary.yaml", "--events", "events.jsonl"], in: directory)
        #expect(look.status <= 1, "\(look.stderr)")
        let selection = ["--run", run, "--kind", "all", "--ledger", "ledger.sqlite"]
        let processes = try (0..<4).map { index in
            try Tool.start(
                "feedback-export", selection + ["--since-last", "--out-dir", "incremental-\(index)"],
                in: directory.url)
        }
        for process in processes { process.process.waitUntilExit() }
        // Everything, for comparison (a full export of the selection, after the incremental ones).
        let everything = try Tool.run("feedback-export", selection + ["--out-dir", "all"], in: directory.url)
        #expect(everything.status == 0, "\(everything.stderr)")
        let total = try Self.records(directory.path("all"))
        #expect(total > 0)
        var exported = 0
        for (index, process) in processes.enumerated() {
            let result = process.finish()
            #expect(!result.stderr.contains("error"), "\(result.stderr)")
            #expect(result.status == 0, "\(result.stderr)")
            exported += try Self.records(directory.path("incremental-\(index)"))
        }
        #expect(exported == total, "\(exported) records exported by four exports of \(total)")
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let incremental = try ledger.exports().filter { $0.outDir.hasPrefix("incremental-") }
        #expect(incremental.count == 4)
        #expect(incremental.filter { $0.records > 0 }.count == 1)
        let watermarks = Set(incremental.map(\.watermark))
        #expect(watermarks.count == 1, "\(watermarks)")
    }

    /// The records a dataset's manifest counts.
    static func records(_ directory: String) throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent("manifest.json"))
        let manifest = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return manifest?["records"] as? Int ?? -1
    }
}

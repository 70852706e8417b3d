import Foundation
import RunLedger
import TestSupport
import Testing

@Suite("Ledger under concurrent writers and crashes")
struct LedgerConcurrencyTests {
    static let pass = "Tests/Fixtures/native/pass"

    @Test("six benchmark-gate processes on one new ledger all succeed and every row is there")
    func concurrentWriters() throws {
        let directory = try TemporaryDirectory()
        let ledgerPath = directory.path("shared/ledger.sqlite")
        let processes = try (0..<6).map { index in
            try Tool.start(
                "benchmark-gate",
                [
                    "--candidate", "\(Self.pass)/candidate.jsonl", "--baseline", "\(Self.pass)/baseline.jsonl",
                    "--agent", "agent-\(index % 2)", "--candidate-version", "v\(index)", "--run-id", "run-\(index)",
                    "--output", directory.path("gate-\(index).json"), "--ledger", ledgerPath,
                ])
        }
        for process in processes { process.process.waitUntilExit() }
        let results = processes.map { $0.finish() }
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        let ledger = try Ledger(path: ledgerPath)
        #expect(try ledger.count(table: "runs") == 6)
        #expect(try ledger.count(table: "gate_results") == 6)
        #expect(try ledger.count(table: "stages") == 6)
        #expect(try ledger.gateHistory(agent: "agent-0").count == 3)
        #expect(try ledger.integrityProblems().isEmpty)
        #expect(try ledger.appliedMigrations().count == 7)
    }

    /// The process is stopped inside the ledger transaction (`AGENT_CANARY_FAILPOINT`) and killed with
    /// SIGKILL; the ledger must come back exactly as before, and no output file may appear.
    @Test("SIGKILL in the middle of a write leaves the ledger consistent")
    func killedMidWrite() throws {
        let directory = try TemporaryDirectory()
        let ledgerPath = directory.path("ledger.sqlite")
        let common = [
            "--candidate", "\(Self.pass)/candidate.jsonl", "--baseline", "\(Self.pass)/baseline.jsonl", "--agent", "a",
            "--ledger", ledgerPath,
        ]
        let first = try Tool.run("benchmark-gate", common + ["--output", directory.path("first.json")])
        #expect(first.status == 0)
        let metricsBefore = try Ledger(path: ledgerPath).count(table: "gate_metrics")
        let running = try Tool.start(
            "benchmark-gate", common + ["--candidate-version", "9.9", "--output", directory.path("killed.json")],
            environment: ["AGENT_CANARY_FAILPOINT": "ledger.before-commit"])
        let deadline = Date().addingTimeInterval(60)
        while !running.stderrSoFar.contains("failpoint ledger.before-commit reached"), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(running.stderrSoFar.contains("failpoint"))
        kill(running.process.processIdentifier, SIGKILL)
        running.process.waitUntilExit()
        #expect(running.finish().status == 128 + SIGKILL)

        let ledger = try Ledger(path: ledgerPath)
        #expect(try ledger.integrityProblems().isEmpty)
        #expect(try ledger.count(table: "gate_results") == 1)
        #expect(try ledger.count(table: "gate_metrics") == metricsBefore)
        #expect(try ledger.count(table: "runs") == 1 && ledger.count(table: "stages") == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.path("killed.json")))
        // The next gate works as usual.
        let after = try Tool.run(
            "benchmark-gate", common + ["--candidate-version", "9.9", "--output", directory.path("again.json")])
        #expect(after.status == 0)
        #expect(try ledger.count(table: "gate_results") == 2)
    }
}

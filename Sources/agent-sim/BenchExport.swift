import ArgumentParser
import CommandSupport
import Foundation
import Simulation
import ToolContract

struct BenchExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-export",
        abstract: "Benchmark: feedback-export against sqlite3 -json on a ledger filled by the real tools.",
        discussion: """
            Builds a ledger with the real binaries — a simulated suite through benchmark-gate, canary-deploy \
            start, simulated telemetry through monitor analyze --run — so that about --records failed tasks \
            are retained with their content, then times, --runs times each and alternating, feedback-export \
            --kind failures --format native and sqlite3 -json dumping the same rows.
            """)

    @Option(help: "Retained failed tasks to aim for.") var records = 100_000
    @Option(help: "Timed runs of each.") var runs = 3
    @Option(help: "Keep the working directory here (reused when its ledger exists).") var directory: String?

    func run() throws {
        try ToolRunner.run {
            let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            func tool(_ name: String) -> String { bin.appendingPathComponent(name).path }
            let work = URL(
                fileURLWithPath: directory
                    ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                        "agent-canary-bench-\(UUID().uuidString)"
                    )
                    .path)
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            defer { if directory == nil { try? FileManager.default.removeItem(at: work) } }
            let ledger = work.appendingPathComponent("ledger.sqlite").path
            func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                process.currentDirectoryURL = work
                process.standardOutput = FileHandle.nullDevice
                try process.run()
                process.waitUntilExit()
                return process.terminationStatus
            }
            var runId = ""
            if !FileManager.default.fileExists(atPath: ledger) {
                ToolRunner.printResult("building the ledger (the real tools; this takes a while)…")
                _ = try run(tool("agent-sim"), ["suite", "--out-dir", work.path, "--tasks", "200"])
                _ = try run(
                    tool("benchmark-gate"),
                    [
                        "--candidate", "candidate.jsonl", "--baseline", "baseline.jsonl", "--agent", "bench-agent",
                        "--output",
                        "gate.json", "--ledger", ledger,
                    ])
                try Data(
                    "agent: {name: bench-agent}\nrollout:\n  steps: [{weight: 50}]\nmonitor: {retain_successes: 0}\n"
                        .utf8
                )
                .write(to: work.appendingPathComponent("canary.yaml"))
                guard
                    try run(
                        tool("canary-deploy"),
                        [
                            "start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "nginx", "--ledger",
                            ledger,
                            "--out-dir", "out",
                        ]) == 0
                else {
                    ToolRunner.printError("canary-deploy start failed")
                    return ExitStatus.software.rawValue
                }
                // Success −60 points: most tasks fail, so most are retained with content.
                let conversations = Int(Double(records) / 2.5 / 0.77)
                _ = try run(
                    tool("agent-sim"),
                    [
                        "telemetry", "--scenario", "aa", "--success-shift=-0.6", "--weight", "100", "--conversations",
                        String(conversations), "--tasks-only", "--out", "events.jsonl",
                    ])
            }
            let rollout =
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: work.appendingPathComponent("out/rollout.json"))) as? [String: Any]
            runId = rollout?["run_id"] as? String ?? ""
            if !FileManager.default.fileExists(atPath: work.appendingPathComponent("analysis.json").path) {
                let status = try run(
                    tool("monitor"),
                    [
                        "analyze", "--run", runId, "--policy", "canary.yaml", "--events", "events.jsonl", "--ledger",
                        ledger,
                        "--output", "analysis.json",
                    ])
                guard status <= 1 else {
                    ToolRunner.printError("monitor exited with \(status)")
                    return ExitStatus.software.rawValue
                }
            }
            let query = ReferenceQueries.sqliteFailedTasks(runId: runId)
            var exportTimes: [Double] = []
            var sqliteTimes: [Double] = []
            var count = 0
            // Each measured process starts with no dirty pages of the other's output to write back, and its own
            // output is removed afterwards.
            func settle() {
                try? FileManager.default.removeItem(at: work.appendingPathComponent("dump.json"))
                sync()
            }
            for index in 1...runs {
                settle()
                let export = try ProcessMeasurement.run(
                    tool("feedback-export"),
                    [
                        "--run", runId, "--kind", "failures", "--format", "native", "--out-dir",
                        work.appendingPathComponent("dataset-\(index)").path, "--ledger", ledger,
                    ])
                guard export.exitStatus == 0 else {
                    ToolRunner.printError("feedback-export exited with \(export.exitStatus)")
                    return ExitStatus.software.rawValue
                }
                let manifest =
                    try JSONSerialization.jsonObject(
                        with: Data(contentsOf: work.appendingPathComponent("dataset-\(index)/manifest.json")))
                    as? [String: Any]
                count = manifest?["records"] as? Int ?? 0
                try? FileManager.default.removeItem(at: work.appendingPathComponent("dataset-\(index)"))
                settle()
                let dump = try ProcessMeasurement.run(
                    "/bin/sh",
                    [
                        "-c", "sqlite3 -json \"$0\" \"$1\" > \"$2\"", ledger, query,
                        work.appendingPathComponent("dump.json").path,
                    ])
                exportTimes.append(export.seconds)
                sqliteTimes.append(dump.seconds)
                ToolRunner.printResult(
                    String(
                        format:
                            "run %d: feedback-export %.3f s (CPU %.3f s, peak %.1f MiB) · sqlite3 -json %.3f s (CPU %.3f s, peak %.1f MiB)",
                        index, export.seconds, export.cpuSeconds, export.peakMiB, dump.seconds, dump.cpuSeconds,
                        dump.peakMiB))
            }
            ToolRunner.printResult(
                String(
                    format: "median over %d records: feedback-export %.3f s · sqlite3 -json %.3f s", count,
                    ProcessMeasurement.median(exportTimes), ProcessMeasurement.median(sqliteTimes)))
            return 0
        }
    }
}

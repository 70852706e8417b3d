import ArgumentParser
import CommandSupport
import Foundation
import Simulation

extension BenchMonitor {
    /// A fresh ledger in `directory` with a run started by the real benchmark-gate and canary-deploy (versions
    /// 1.4.0 and 1.5.0, as in the telemetry file); returns the ledger's path and the run's id.
    func startedRun(in directory: URL, index: Int) throws -> (ledger: String, runId: String) {
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let work = directory.appendingPathComponent("run-\(index)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let ledger = work.appendingPathComponent("ledger.sqlite").path
        func run(_ name: String, _ arguments: [String]) throws {
            let process = Process()
            process.executableURL = bin.appendingPathComponent(name)
            process.arguments = arguments
            process.currentDirectoryURL = work
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw ValidationError("\(name) \(arguments.first ?? "") exited with \(process.terminationStatus)")
            }
        }
        try run("agent-sim", ["suite", "--out-dir", work.path, "--tasks", "200"])
        try run(
            "benchmark-gate",
            [
                "--candidate", "candidate.jsonl", "--baseline", "baseline.jsonl", "--agent", "bench-agent", "--output",
                "gate.json", "--ledger", ledger,
            ])
        try Data("agent: {name: bench-agent}\nrollout:\n  steps: [{weight: 50}]\n".utf8)
            .write(to: work.appendingPathComponent("canary.yaml"))
        try run(
            "canary-deploy",
            [
                "start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "nginx", "--ledger", ledger,
                "--out-dir", "out",
            ])
        let rollout =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: work.appendingPathComponent("out/rollout.json"))) as? [String: Any]
        return (ledger, rollout?["run_id"] as? String ?? "")
    }

    /// Times `monitor analyze --run` on `path` twice on a fresh run: the first look stores every event; the
    /// second, on the same file under another name, loads the first look's rows from the ledger first.
    func measureRun(binary: String, path: String, directory: URL, index: Int) throws -> [ProcessMeasurement] {
        let (ledger, runId) = try startedRun(in: directory, index: index)
        let policy = directory.appendingPathComponent("run-\(index)/canary.yaml").path
        var looks: [ProcessMeasurement] = []
        for look in 1...2 {
            // A new name each time: the second look must read the whole file again, not resume after it.
            let events = directory.appendingPathComponent("run-\(index)/events-\(look).jsonl").path
            try? FileManager.default.removeItem(atPath: events)
            try FileManager.default.createSymbolicLink(atPath: events, withDestinationPath: path)
            let measured = try ProcessMeasurement.run(
                binary,
                [
                    "analyze", "--run", runId, "--policy", policy, "--events", events, "--ledger", ledger, "--output",
                    directory.appendingPathComponent("run-\(index)/analysis-\(look).json").path,
                ])
            guard measured.exitStatus <= 1 else {
                throw ValidationError("monitor analyze --run exited with \(measured.exitStatus)")
            }
            looks.append(measured)
        }
        return looks
    }
}

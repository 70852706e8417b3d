import Foundation
import ToolContract

/// A benchmark's failure: a tool it ran exited with a status the benchmark does not allow (exit status 70), or
/// a reference tool it needs is missing (69).
package struct BenchFailure: Error, CustomStringConvertible, ExitStatusProviding {
    package let description: String
    package let exitStatus: ExitStatus

    package init(_ description: String, exitStatus: ExitStatus = .software) {
        self.description = description
        self.exitStatus = exitStatus
    }
}

/// The real binaries a benchmark runs (those beside the running `agent-sim`) and the working directory it
/// runs them in.
package struct BenchTools: Sendable {
    /// The directory of the binaries.
    package let binaries: URL
    /// The benchmark's working directory.
    package let work: URL

    /// The tools beside `executable` (the running binary's path), working in `work`.
    package init(beside executable: String, work: URL) {
        binaries = URL(fileURLWithPath: executable).deletingLastPathComponent()
        self.work = work
    }

    /// The path of a binary.
    package func tool(_ name: String) -> String { binaries.appendingPathComponent(name).path }

    /// The path of `name` in the working directory.
    package func path(_ name: String) -> String { work.appendingPathComponent(name).path }

    /// Runs and measures a binary; throws when its exit status is not in `allowed`.
    @discardableResult
    package func measure(_ name: String, _ arguments: [String], allowed: ClosedRange<Int32> = 0...0) throws
        -> ProcessMeasurement
    {
        try Self.measure(tool(name), arguments, allowed: allowed)
    }

    /// Runs and measures `executable`; throws when its exit status is not in `allowed`.
    package static func measure(_ executable: String, _ arguments: [String], allowed: ClosedRange<Int32> = 0...0)
        throws -> ProcessMeasurement
    {
        let measurement = try ProcessMeasurement.run(executable, arguments)
        guard allowed.contains(measurement.exitStatus) else {
            let name = URL(fileURLWithPath: executable).lastPathComponent
            throw BenchFailure("\(name) \(arguments.first ?? "") exited with \(measurement.exitStatus)")
        }
        return measurement
    }

    /// A run on `ledger` as the loop makes one: a simulated suite in `directory` gated by the real
    /// `benchmark-gate` (agent `bench-agent`, versions 1.4.0 and 1.5.0, as the simulated telemetry) and started
    /// by `canary-deploy start` with `policy` (forced when `force`, so that a failing gate starts too). Writes
    /// `canary.yaml`, `gate.json` and `out/` in `directory`; returns the gate's measurement and the run's id.
    @discardableResult
    package func startRun(
        in directory: URL, ledger: String, policy: String, suite: [String] = ["--tasks", "200"],
        runId: String? = nil, force: Bool = false
    ) throws -> (gate: ProcessMeasurement, runId: String) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func file(_ name: String) -> String { directory.appendingPathComponent(name).path }
        if !FileManager.default.fileExists(atPath: file("candidate.jsonl")) {
            try measure("agent-sim", ["suite", "--out-dir", directory.path] + suite)
        }
        try Data(policy.utf8).write(to: URL(fileURLWithPath: file("canary.yaml")))
        let gate = try measure(
            "benchmark-gate",
            [
                "--candidate", file("candidate.jsonl"), "--baseline", file("baseline.jsonl"), "--agent", "bench-agent",
                "--output", file("gate.json"), "--ledger", ledger,
            ] + (runId.map { ["--run-id", $0] } ?? []), allowed: force ? 0...1 : 0...0)
        try measure(
            "canary-deploy",
            [
                "start", "--gate", file("gate.json"), "--policy", file("canary.yaml"), "--router", "nginx", "--out-dir",
                file("out"), "--ledger", ledger,
            ] + (force ? ["--force", "--reason", "benchmark"] : []))
        let rollout =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file("out/rollout.json"))))
            as? [String: Any]
        return (gate, rollout?["run_id"] as? String ?? "")
    }

    /// The `records` count of the dataset manifest in `directory`.
    package static func manifestRecords(in directory: String) throws -> Int {
        let manifest =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent("manifest.json")))
            as? [String: Any]
        return manifest?["records"] as? Int ?? 0
    }

    /// A new temporary working directory (or `kept`, created when missing).
    package static func workDirectory(kept: String? = nil, prefix: String) throws -> URL {
        let url =
            kept.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

import Analysis
import AnalysisCore
import Artifacts
import Foundation
import Logging
import NIOPosix
import RunLedger
import Stages
import ToolContract
import Vocabulary

/// Where `monitor serve` takes the looks rollout controllers ask for, and what it answers them with.
package struct DecisionSettings: Sendable {
    /// The ledger: a path or a `postgresql://` URL (the intake's).
    package var ledgerPath: String
    /// The release policy the looks judge by (`monitor serve --policy`); `nil` for the defaults.
    package var policyPath: String?
    /// Where each run's `analysis.json` (and, for looks that act, `rollout.json`) go: `<dir>/<run>/`.
    package var outDir: String
    /// The environment the looks' stage records keep (and whose `SOURCE_DATE_EPOCH` fixes their clock).
    package var environment: [String: String]
    package var logger: Logger

    /// The variables through which a stage publishes to GitHub Actions.
    static let ciPublishing: Set<String> = ["GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"]

    /// Makes the settings.
    package init(
        ledgerPath: String, policyPath: String?, outDir: String, environment: [String: String], logger: Logger
    ) {
        self.ledgerPath = ledgerPath
        self.policyPath = policyPath
        self.outDir = outDir
        // A server's looks publish nothing to a CI job it may have been started from (outputs, step summary).
        self.environment = environment.filter { !Self.ciPublishing.contains($0.key) }
        self.logger = logger
    }
}

/// Why the decisions API could not answer with a look or a decision: each with its HTTP status.
package struct DecisionRefusal: Error, Sendable {
    /// The HTTP status: 400, 404, 409, 500 or 503.
    package var status: Int
    package var message: String

    static func notFound(_ message: String) -> DecisionRefusal { DecisionRefusal(status: 404, message: message) }
    static func conflict(_ message: String) -> DecisionRefusal { DecisionRefusal(status: 409, message: message) }
    static func badRequest(_ message: String) -> DecisionRefusal { DecisionRefusal(status: 400, message: message) }

    /// The refusal of a failed look or ledger read: an unknown run is 404, a ledger or Prometheus that cannot
    /// be reached 503, anything else 500. The message is the tool's own, which never holds a secret.
    static func of(_ error: any Error) -> DecisionRefusal {
        if let refusal = error as? DecisionRefusal { return refusal }
        let status: Int =
            switch (error as? any ExitStatusProviding)?.exitStatus {
            case .noInput: 404
            case .unavailable, .noPermission: 503
            default: 500
            }
        return DecisionRefusal(status: status, message: "\(error)")
    }
}

/// The looks rollout controllers ask `monitor serve` for, taken as `monitor analyze --run RUN --intake` takes
/// them (the same ledger records, evidence rules, notifications and DogStatsD), and the runs they judge.
///
/// A look runs on NIO's blocking thread pool, never on the server's event loops. Requests for a run whose look
/// is under way wait for that look and answer with it: two concurrent requests for one run take one look.
package actor DecisionDesk {
    let settings: DecisionSettings
    private var underWay: [String: Task<Result<AnalysisArtifact, DecisionRefusal>, Never>] = [:]

    /// A desk over `settings`.
    package init(settings: DecisionSettings) {
        self.settings = settings
    }

    /// Takes a look at `runId` (or joins the one under way, whether or not that one acts) and answers its
    /// artifact. With `act`, the look's decision is carried out as `--act` does (advance, promote after the last
    /// step, roll back). Looks are joined within one server; replicas on one ledger each take their own.
    package func look(runId: String, act: Bool) async -> Result<AnalysisArtifact, DecisionRefusal> {
        if let task = underWay[runId] { return await task.value }
        let settings = settings
        let task = Task { () -> Result<AnalysisArtifact, DecisionRefusal> in
            do {
                return .success(
                    try await NIOThreadPool.singleton.runIfActive {
                        try Self.takeLook(runId: runId, act: act, settings: settings)
                    })
            } catch {
                return .failure(DecisionRefusal.of(error))
            }
        }
        underWay[runId] = task
        let result = await task.value
        underWay[runId] = nil
        return result
    }

    /// The latest look of `runId`, or 404 when the run is unknown or has none.
    package func latestLook(runId: String) async -> Result<LookRow, DecisionRefusal> {
        await read { ledger in
            guard try ledger.run(id: runId) != nil else { throw DecisionRefusal.notFound("no run \(runId)") }
            guard let look = try ledger.looks(runId: runId).last else {
                throw DecisionRefusal.notFound("run \(runId) has no look yet")
            }
            return look
        }
    }

    /// A stored look by its id.
    package func look(id: Int64) async -> Result<LookRow, DecisionRefusal> {
        await read { ledger in
            guard let look = try ledger.look(id: id) else { throw DecisionRefusal.notFound("no look \(id)") }
            return look
        }
    }

    /// The progressing run of `agent` (the most recently updated, when there are several), of
    /// `candidateVersion` and `baselineVersion` when they are given: 404 when there is none.
    package func currentRun(agent: String, candidateVersion: String?, baselineVersion: String? = nil) async
        -> Result<(RunRecord, RolloutRecord), DecisionRefusal>
    {
        await read { ledger in
            for rollout in try ledger.activeRollouts(agent: agent) where rollout.phase == .progressing {
                guard let run = try ledger.run(id: rollout.runId) else { continue }
                if let candidateVersion, run.candidateVersion != candidateVersion { continue }
                if let baselineVersion, run.baselineVersion != baselineVersion { continue }
                return (run, rollout)
            }
            var wanted = "agent \(agent)"
            if let candidateVersion { wanted += ", candidate \(candidateVersion)" }
            if let baselineVersion { wanted += ", baseline \(baselineVersion)" }
            throw DecisionRefusal.notFound("no progressing run of \(wanted)")
        }
    }

    /// The run of `agent` whose rollout was updated last, whatever its phase.
    package func latestRun(agent: String) async -> Result<(RunRecord, RolloutRecord), DecisionRefusal> {
        await read { ledger in
            guard let rollout = try ledger.latestRollout(agent: agent), let run = try ledger.run(id: rollout.runId)
            else { throw DecisionRefusal.notFound("agent \(agent) has no rollout") }
            return (run, rollout)
        }
    }

    /// The agents that have a run.
    package func agents() async -> Result<[String], DecisionRefusal> {
        await read { ledger in try ledger.agents() }
    }

    // MARK: - Doing the work

    /// Runs `body` on the ledger, opened for the call, on the blocking thread pool.
    func read<T: Sendable>(_ body: @escaping @Sendable (Ledger) throws -> T) async -> Result<T, DecisionRefusal> {
        let settings = settings
        do {
            return .success(
                try await NIOThreadPool.singleton.runIfActive {
                    guard let ledger = try Ledger.openExisting(at: settings.ledgerPath, logger: settings.logger) else {
                        throw DecisionRefusal.notFound("no ledger at \(Ledger.displayName(settings.ledgerPath))")
                    }
                    return try body(ledger)
                })
        } catch {
            return .failure(DecisionRefusal.of(error))
        }
    }

    static func progressing(_ runId: String, ledger: Ledger) throws -> (RunRecord, RolloutRecord) {
        guard let run = try ledger.run(id: runId) else { throw DecisionRefusal.notFound("no run \(runId)") }
        guard let rollout = try ledger.rollout(runId: runId) else {
            throw DecisionRefusal.conflict("run \(runId) has not started a rollout")
        }
        guard rollout.phase == .progressing else {
            throw DecisionRefusal.conflict("run \(runId) is \(rollout.phase.rawValue), not progressing")
        }
        return (run, rollout)
    }

    /// The run's directory under `--out-dir`: its id, or a digest of it when the id could leave the directory
    /// (run ids are free text: `benchmark-gate --run-id`).
    static func directoryName(_ runId: String) -> String {
        let plain = runId.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        guard !plain || runId.isEmpty || runId.hasPrefix(".") else { return runId }
        return "run-" + Digest.sha256(Data(runId.utf8)).prefix(16)
    }

    /// One look, as `monitor analyze --run RUN --intake [--act]` takes it, with the server's policy.
    static func takeLook(runId: String, act: Bool, settings: DecisionSettings) throws -> AnalysisArtifact {
        guard let ledger = try Ledger.openExisting(at: settings.ledgerPath, logger: settings.logger) else {
            throw DecisionRefusal.notFound("no ledger at \(Ledger.displayName(settings.ledgerPath))")
        }
        _ = try progressing(runId, ledger: ledger)
        let directory = (settings.outDir as NSString).appendingPathComponent(directoryName(runId))
        var request = LookRequest(
            runId: runId, baselineVersion: nil, candidateVersion: nil, policyPath: settings.policyPath, sources: [],
            prometheusURL: nil, at: nil,
            outputPath: (directory as NSString).appendingPathComponent("analysis.json"), reportPath: nil,
            metricsPath: nil, act: act, deployOutDir: directory,
            stage: StageContext(
                ledgerPath: settings.ledgerPath,
                arguments: ["monitor", "serve", "POST", "/v1/runs/\(runId)/looks" + (act ? "?act=true" : "")],
                environment: settings.environment, logger: settings.logger))
        request.intake = true
        let outcome = try MonitorStage.run(request)
        settings.logger.info(
            "look taken for a controller",
            metadata: [
                "run": "\(runId)", "look": "\(outcome.artifact.lookId)",
                "decision": "\(outcome.artifact.judgement.decision.rawValue)",
            ])
        return outcome.artifact
    }
}

import Artifacts
import BenchmarkResults
import CIOutput
import Foundation
import Gate
import Logging
import Policy
import PolicyFiles
import RunLedger
import ToolContract
import Vocabulary

/// What one `benchmark-gate` invocation is asked to do.
package struct GateRequest: Sendable {
    package var candidatePath: String
    /// The baseline's results; `nil` with `baselineFromLedger`.
    package var baselinePath: String?
    /// Use the results of the agent's last promoted (else last passing) version from the ledger.
    package var baselineFromLedger: Bool
    package var policyPath: String?
    package var agent: String?
    package var candidateVersion: String?
    package var baselineVersion: String?
    /// Where `gate-result.json` goes.
    package var outputPath: String
    /// Where the stage runs: ledger, command line, environment, CI destinations and logger.
    package var stage: StageContext
    /// The run to record under; a new one when `nil`.
    package var runId: String?

    /// Describes a request.
    package init(
        candidatePath: String, baselinePath: String?, baselineFromLedger: Bool, policyPath: String?, agent: String?,
        candidateVersion: String?, baselineVersion: String?, outputPath: String, runId: String?,
        stage: StageContext
    ) {
        self.candidatePath = candidatePath
        self.baselinePath = baselinePath
        self.baselineFromLedger = baselineFromLedger
        self.policyPath = policyPath
        self.agent = agent
        self.candidateVersion = candidateVersion
        self.baselineVersion = baselineVersion
        self.outputPath = outputPath
        self.stage = stage
        self.runId = runId
    }
}

/// Runs the benchmark gate end to end: read, compare, write the artifact and CI files, record in the ledger.
package enum BenchmarkGate {
    /// Runs `request`. Nothing is written unless everything succeeds: output files are staged and moved into
    /// place only after the ledger transaction committed.
    package static func run(_ request: GateRequest) throws -> GateOutcome {
        let (recorder, logger) = (request.stage.recorder(tool: "benchmark-gate"), request.stage.logger)
        let loaded = try PolicyLoader.load(path: request.policyPath, agentName: request.agent)
        let agent = loaded.policy.agent.name
        let gate = loaded.policy.gate
        let candidate = try BenchmarkReader.read(path: request.candidatePath, inspectScorer: gate.inspectScorer)
        let candidateVersion = request.candidateVersion ?? candidate.declaredVersion
        // Everything the gate does not know is named in one message, not one round trip each.
        var unknown: [GateSubject] = agent.isEmpty ? [.agent] : []
        if candidateVersion == nil { unknown.append(.candidateVersion) }

        let baseline: BenchmarkSuite
        var storedBaselineVersion: String?
        if request.baselineFromLedger {
            guard unknown.isEmpty else { throw GateError.unidentified(missing: unknown) }
            guard
                let stored = try Ledger.openExisting(at: recorder.ledgerPath, logger: logger)?.baselineSuite(
                    agent: agent)
            else { throw GateError.noRecordedBaseline(agent: agent) }
            baseline = try BenchmarkReader.parse(
                stored.content, path: "ledger:\(stored.sha256)", inspectScorer: gate.inspectScorer)
            storedBaselineVersion = stored.version
        } else {
            baseline = try BenchmarkReader.read(path: request.baselinePath ?? "", inspectScorer: gate.inspectScorer)
        }
        let baselineVersion =
            request.baselineVersion ?? storedBaselineVersion ?? baseline.declaredVersion
            ?? loaded.policy.agent.baselineVersion
        if baselineVersion == nil { unknown.append(.baselineVersion) }
        guard unknown.isEmpty, let candidateVersion, let baselineVersion else {
            throw GateError.unidentified(missing: unknown)
        }
        for (side, version, flag, path) in [
            ("candidate", candidateVersion, request.candidateVersion, candidate.path),
            ("baseline", baselineVersion, request.baselineVersion, baseline.path),
        ] where !ConfigValue.version.accepts(version) {
            throw GateError.invalidVersion(
                side: side, value: version, source: flag != nil ? "--\(side)-version" : "\(path) (field 'version')")
        }

        let evaluation = try GateEvaluator.evaluate(
            candidate: candidate.attempts, baseline: baseline.attempts, candidatePath: candidate.path,
            baselinePath: baseline.path, gate: gate)

        let runId = request.runId ?? request.stage.environment["AGENT_CANARY_RUN_ID"] ?? Self.newRunId()
        var inputs = [
            InputFile(path: candidate.path, sha256: candidate.sha256, role: "candidate"),
            InputFile(path: baseline.path, sha256: baseline.sha256, role: "baseline"),
        ]
        if let source = loaded.source { inputs.append(source) }
        let result = GateResult(
            ArtifactEnvelope(
                schema: GateResult.schemaID, runId: runId, createdAt: recorder.startedAt,
                tool: ToolInfo(name: "benchmark-gate"), inputs: inputs),
            GateResultFields(
                agent: agent, baselineVersion: baselineVersion, candidateVersion: candidateVersion,
                formats: ["baseline": baseline.format.rawValue, "candidate": candidate.format.rawValue],
                verdict: evaluation.verdict, blocking: evaluation.blocking, reasons: evaluation.reasons,
                notes: evaluation.notes, metrics: evaluation.metrics, categories: evaluation.categories,
                tasks: evaluation.tasks, method: evaluation.method, policySha256: loaded.gateSha256))
        let exitStatus: Int32 = evaluation.blocking ? 1 : 0

        let report = GateReport.ciReport(result, artifactPath: request.outputPath, warnings: evaluation.warnings)
        try recorder.stage(try ArtifactCoding.encode(result), at: request.outputPath, kind: "gate-result")
        try recorder.stage(report, to: request.stage.ci)
        let ledger = try recorder.ledger()
        try recorder.commit(exitStatus: exitStatus) { stage in
            try ledger.recordGate(
                GateRecording(
                    gate: GateRow(result), stage: stage, outputs: recorder.outputs,
                    candidateSuite: StoredSuite(
                        sha256: candidate.sha256, format: candidate.format.rawValue,
                        content: candidate.normalizedJSONL(), version: candidateVersion),
                    baselineSuite: StoredSuite(
                        sha256: baseline.sha256, format: baseline.format.rawValue, content: baseline.normalizedJSONL(),
                        version: baselineVersion)))
        }
        logger.info(
            "gate recorded",
            metadata: [
                "run": "\(runId)", "verdict": "\(result.verdict.rawValue)",
                "ledger": "\(Ledger.displayName(request.stage.ledgerPath))",
            ])
        let commands = try recorder.publish(report)
        return GateOutcome(result: result, report: report, workflowCommands: commands, exitStatus: exitStatus)
    }

    /// A new run id: the UTC time and 48 random bits, so ids sort by creation and never collide in practice.
    static func newRunId() -> String {
        let stamp = ArtifactClock.iso8601(Date()).filter { $0.isNumber }
        let random = String(UInt64.random(in: 0..<(1 << 48)), radix: 16)
        return "run-\(stamp)-\(String(repeating: "0", count: 12 - random.count))\(random)"
    }
}

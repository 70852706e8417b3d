import Analysis
import AnalysisCore
import Artifacts
import CIOutput
import Foundation
import Logging
import Notifications
import Policy
import PolicyFiles
import RunLedger
import Telemetry
import ToolContract
import Vocabulary

/// What one `monitor analyze` look is asked to do.
package struct LookRequest: Sendable {
    package var runId: String?
    package var baselineVersion: String?
    package var candidateVersion: String?
    package var policyPath: String?
    /// Overrides the policy's `agent.name`.
    package var agentName: String? = nil
    package var sources: [SourceSpec]
    /// Whether the look also reads what `monitor serve` stored for the run's agent since its previous look.
    package var intake = false
    package var prometheusURL: String?
    /// The time the look is taken at (Prometheus queries, the step's age); `nil` for now.
    package var at: Date?
    package var outputPath: String
    package var reportPath: String?
    package var metricsPath: String?
    package var act: Bool
    /// Where `--act` writes `rollout.json` and the routing configuration.
    package var deployOutDir: String
    /// Where the stage runs: ledger, command line, environment, CI destinations and logger.
    package var stage: StageContext
    /// The longest telemetry line read; a longer one is bad input naming its file and line.
    package var maxLineBytes = TelemetryReader.defaultMaxLineBytes
    /// The most one notification may take, retries included.
    package var notifyTimeout: TimeInterval = 10
    /// The report notifications link to.
    package var reportURL: String?
    /// Where the look's metrics go as DogStatsD datagrams (`host:port`); overrides the policy's `monitor.statsd`.
    package var statsd: String?

    /// Makes a request.
    package init(
        runId: String?, baselineVersion: String?, candidateVersion: String?, policyPath: String?,
        sources: [SourceSpec], prometheusURL: String?, at: Date?, outputPath: String, reportPath: String?,
        metricsPath: String?, act: Bool, deployOutDir: String, stage: StageContext
    ) {
        self.runId = runId
        self.baselineVersion = baselineVersion
        self.candidateVersion = candidateVersion
        self.policyPath = policyPath
        self.sources = sources
        self.prometheusURL = prometheusURL
        self.at = at
        self.outputPath = outputPath
        self.reportPath = reportPath
        self.metricsPath = metricsPath
        self.act = act
        self.deployOutDir = deployOutDir
        self.stage = stage
    }
}

/// `monitor`: one look at a canary, from telemetry to a recorded decision.
package enum Monitor {
    /// Reads the telemetry, judges and records the look with its outputs; what it then does (act, notify,
    /// publish) is ``finish(_:acted:)``'s, in the order `Stages.MonitorStage` runs them.
    package static func look(_ request: LookRequest) throws -> RecordedLook {
        let (recorder, logger) = (request.stage.recorder(tool: "monitor"), request.stage.logger)
        let clock = Date()
        let profile = request.stage.environment["AGENT_CANARY_PROFILE"] == "1"
        func phase(_ name: String) {
            guard profile else { return }
            FileHandle.standardError.write(
                Data("profile: \(name) at \(String(format: "%.3f", Date().timeIntervalSince(clock))) s\n".utf8))
        }
        let loaded = try PolicyLoader.load(path: request.policyPath, agentName: request.agentName)
        let policy = loaded.policy
        let monitor = policy.monitor
        let now = request.at ?? recorder.started

        // What is compared. A run's look opens its (existing) ledger once; a look without a run opens or creates
        // it only to record, so a look that fails on its input creates nothing.
        var view: RolloutView?
        var runLedger: Ledger?
        if let runId = request.runId {
            let ledger = try recorder.existingLedger { MonitorError.notFound("no ledger at \($0) (run \(runId))") }
            runLedger = ledger
            view = try RolloutView.load(runId: runId, from: ledger, policy: policy, recorder: recorder)
        }
        guard
            let baselineVersion = view?.run.baselineVersion ?? request.baselineVersion,
            let candidateVersion = view?.run.candidateVersion ?? request.candidateVersion
        else {
            throw MonitorError.usage(
                "name a run (--run ID) or both versions (--baseline-version and --candidate-version)")
        }
        let agent = view?.run.agent ?? (policy.agent.name.isEmpty ? "unnamed-agent" : policy.agent.name)
        let mode = view?.state?.mode ?? policy.rollout.mode
        let (step, stepStart) = RolloutView.step(of: view, mode: mode, now: now)

        let pass = try read(
            request, versions: (baselineVersion, candidateVersion), view: view, step: step, stepStart: stepStart,
            monitor: monitor, ledger: runLedger, now: now)
        phase("read")
        let accumulator = pass.accumulator
        let events = pass.events
        let prometheus = try queryPrometheus(
            monitor, url: request.prometheusURL ?? monitor.prometheusURL,
            versions: PerArm(baseline: baselineVersion, candidate: candidateVersion),
            at: now, windowSeconds: step.elapsedSeconds, policyFile: request.policyPath ?? "policy")

        // The judgement.
        var inputs = accumulator.inputs(
            agent: agent, runId: view?.run.id, step: step, monitor: monitor, policySha256: loaded.effectiveSha256,
            prometheus: prometheus)
        let unusable = pass.reader.unusable.list
        if !unusable.isEmpty { inputs.unusable = unusable }
        if monitor.method == .groupSequential, let runLedger, let view {
            if let (information, shown) = try sequentialState(runId: view.run.id, ledger: runLedger) {
                (inputs.earlierInformation, inputs.sequentiallyShown) = (information, shown)
            } else {
                inputs.monitor.method = .msprt
            }
        }
        phase("inputs")
        let judgement = Judge.judge(inputs)
        phase("judged")
        let ingestion = IngestionSummary(
            sources: pass.sources, newEvents: events.newEvents, duplicateEvents: events.duplicates,
            skippedMalformedLines: pass.reader.skipped, skippedUnknownVersionEvents: pass.unknownSkipped,
            unusableTraces: inputs.unusable)
        let exitStatus: Int32 = judgement.decision == .rollback ? 1 : 0
        let inputsJSON = String(decoding: try ArtifactCoding.encode(inputs), as: UTF8.self)
        let judgementJSON = String(decoding: try ArtifactCoding.encode(judgement), as: UTF8.self)
        var inputFiles: [InputFile] = []
        if let source = loaded.source { inputFiles.append(source) }

        var write = LookWrite(
            look: LookRow(
                id: 0, runId: view?.run.id, agent: agent, baselineVersion: baselineVersion,
                candidateVersion: candidateVersion, mode: mode, stepIndex: step.stepIndex, weight: step.weight,
                decision: judgement.decision, policySha256: loaded.effectiveSha256, inputsJSON: inputsJSON,
                judgementJSON: judgementJSON, analysisSha256: "", createdAt: recorder.startedAt),
            metrics: judgement.metrics.map(Self.metricRow), stage: nil)
        events.fill(&write)
        write.cursors = pass.cursors

        let ledger = try runLedger ?? recorder.ledger()
        let history = try view.map { try ledger.looks(runId: $0.run.id) } ?? []
        let transitions = try view.map { try ledger.transitions(runId: $0.run.id) } ?? []
        var artifact: AnalysisArtifact?
        var report: CIReport?
        let lookId = try recorder.commit(exitStatus: exitStatus) { stage in
            write.stage = stage
            return try ledger.recordLook(write) { lookId in
                let made = AnalysisArtifact(
                    ArtifactEnvelope(
                        schema: AnalysisArtifact.schemaID, runId: view?.run.id ?? "", createdAt: recorder.startedAt,
                        tool: ToolInfo(name: "monitor"), inputs: inputFiles),
                    AnalysisFields(
                        lookId: lookId, agent: agent, baselineVersion: baselineVersion,
                        candidateVersion: candidateVersion, mode: mode, step: step.stepIndex.map { $0 + 1 },
                        weight: step.weight, judgement: judgement, ingestion: ingestion,
                        policySha256: loaded.effectiveSha256, method: Self.method(inputs)))
                artifact = made
                let (sha, ci) = try stageOutputs(
                    made, request: request, history: history, transitions: transitions, phase: step.phase,
                    recorder: recorder)
                report = ci
                return (sha, recorder.outputs)
            }
        }
        phase("recorded")
        guard let artifact, let report else { throw MonitorError.corruptLook(id: lookId, reason: "no artifact made") }
        if let address = request.statsd ?? monitor.statsd {
            DogStatsD.send(DogStatsD.lines(artifact, phase: step.phase), to: address, logger: logger)
        }
        logger.info(
            "look recorded", metadata: ["look": "\(lookId)", "decision": "\(artifact.judgement.decision.rawValue)"])
        var warnings = pass.reader.warnings
        if pass.unknownSkipped > 0 { warnings.append("skipped \(pass.unknownSkipped) event(s) of other versions") }
        warnings += unusable.map(\.sentence)
        return RecordedLook(
            artifact: artifact, report: report, warnings: warnings, exitStatus: exitStatus, view: view,
            notify: policy.notify ?? view?.notify, ledger: ledger, recorder: recorder, request: request)
    }

    /// Finishes a recorded look: tells the policy's targets of a rollback or hold the look did not act on (a
    /// transition it made, the rollout controller told already), and publishes the CI report to GitHub.
    package static func finish(_ look: RecordedLook, acted: RolloutAction?) throws -> LookOutcome {
        var notifications = acted?.notifications ?? []
        if acted == nil, look.artifact.judgement.decision == .rollback || look.artifact.judgement.decision == .hold,
            let view = look.view,
            let targets = look.notify, !targets.isEmpty
        {
            notifications = notify(
                look.artifact, view: view, targets: targets, request: look.request, ledger: look.ledger)
        }
        var published = look.report
        published.add(notifications: notifications)
        let commands = try look.recorder.publish(published)
        return LookOutcome(
            artifact: look.artifact, action: acted?.description, warnings: look.warnings, workflowCommands: commands,
            exitStatus: look.exitStatus, notifications: notifications.map(\.text))
    }

    /// The group-sequential design's state, which the look stores in its inputs: each primary metric's
    /// information at the run's earlier looks, oldest first, as they recorded it, and the metrics whose boundary
    /// one of them crossed; `nil` when the run's first look judged promotion by the mixture (a run keeps the
    /// method of its first look: a run begun before the policy chose group-sequential spent no α of the
    /// design's, and two tests each at α would together be at up to 2α). Only that look's inputs are read for
    /// it: every look's would nearly double the JSON each look decodes (a look's inputs are about as large as
    /// its judgement), over hundreds of looks in a run looked at every minute.
    static func sequentialState(runId: String, ledger: Ledger) throws -> ([String: [Double]], [String])? {
        /// The part of a stored look's inputs that says how it judged promotion.
        struct StoredMethod: Decodable {
            struct Section: Decodable { var method: MonitorMethod? }
            var monitor: Section
        }
        let decoder = ArtifactCoding.makeDecoder()
        var information: [String: [Double]] = [:]
        var shown: Set<String> = []
        let looks = try ledger.looks(runId: runId)
        if let first = looks.first(where: { $0.mode != .shadow }) {
            guard let stored = try? decoder.decode(StoredMethod.self, from: Data(first.inputsJSON.utf8)) else {
                throw MonitorError.corruptLook(id: first.id, reason: "its inputs cannot be read back")
            }
            if stored.monitor.method != .groupSequential { return nil }
        }
        for look in looks {
            guard let judgement = try? decoder.decode(Judgement.self, from: Data(look.judgementJSON.utf8)) else {
                throw MonitorError.corruptLook(id: look.id, reason: "its judgement cannot be read back")
            }
            for metric in judgement.metrics {
                guard let sequential = metric.sequential else { continue }
                information[metric.name, default: []].append(sequential.information)
                if metric.status == .nonInferior { shown.insert(metric.name) }
            }
        }
        return (information, shown.sorted())
    }

    /// Recomputes a stored look from its stored inputs.
    package static func rejudge(lookId: Int64, ledgerPath: String, logger: Logger) throws -> (
        stored: Judgement, recomputed: Judgement, look: LookRow
    ) {
        guard let ledger = try Ledger.openExisting(at: ledgerPath, logger: logger) else {
            throw MonitorError.notFound("no ledger at \(Ledger.displayName(ledgerPath))")
        }
        guard let look = try ledger.look(id: lookId) else {
            throw MonitorError.notFound("look \(lookId) is not in the ledger \(Ledger.displayName(ledgerPath))")
        }
        let decoder = ArtifactCoding.makeDecoder()
        do {
            let inputs = try decoder.decode(LookInputs.self, from: Data(look.inputsJSON.utf8))
            let stored = try decoder.decode(Judgement.self, from: Data(look.judgementJSON.utf8))
            return (stored, Judge.judge(inputs), look)
        } catch {
            throw MonitorError.corruptLook(id: lookId, reason: String(describing: error))
        }
    }

    static func queryPrometheus(
        _ monitor: MonitorSection, url: String?, versions: PerArm<String>, at now: Date, windowSeconds: Int?,
        policyFile: String
    ) throws -> [String: PerArm<Double?>] {
        guard !monitor.prometheusMetrics.isEmpty else { return [:] }
        guard let url else {
            throw MonitorError.usage(
                "the policy has Prometheus metrics: give --prometheus URL or monitor.prometheus.url")
        }
        let client = PrometheusClient(baseURL: url)
        let window = "\(max(60, windowSeconds ?? 300))s"
        var values: [String: PerArm<Double?>] = [:]
        for (index, entry) in monitor.prometheusMetrics.enumerated() {
            values[entry.metric.name] = try PerArm { arm -> Double? in
                let version = versions[arm]
                let query = entry.query.replacingOccurrences(of: "{{version}}", with: version)
                    .replacingOccurrences(of: "{{window}}", with: window)
                switch try client.query(query, at: now.timeIntervalSince1970) {
                case .value(let value): return value
                case .refused(let reason):
                    throw MonitorError.prometheusQuery(
                        file: policyFile, field: "monitor.prometheus.metrics[\(index)].query", reason: reason)
                }
            }
        }
        return values
    }

    static func metricRow(_ metric: MetricResult) -> LookMetricRow {
        LookMetricRow(
            name: metric.name, role: metric.role, status: metric.status, baselineValue: metric.baseline.value,
            candidateValue: metric.candidate.value, baselineN: metric.baseline.n, candidateN: metric.candidate.n,
            difference: metric.difference, ratio: metric.ratio, ciLow: metric.ciLow, ciHigh: metric.ciHigh,
            method: metric.method)
    }

    static func method(_ inputs: LookInputs) -> AnalysisMethod {
        let metrics =
            Judge.applicable(inputs.monitor.metrics, mode: inputs.step.mode)
            + inputs.monitor.prometheusMetrics.map(\.metric)
        let rollback = metrics.filter(Judge.rollsBack).count
        let mixture = "normal-mixture mSPRT confidence sequences; conditional binomial mixture for rare events"
        let grouped =
            inputs.monitor.method == .groupSequential && inputs.earlierInformation != nil && inputs.step.mode != .shadow
        let spending = (inputs.monitor.spending ?? .obrienFleming).rawValue
        return AnalysisMethod(
            sequential: grouped
                ? "group-sequential non-inferiority for the primary metrics (Lan–DeMets \(spending) spending over the "
                    + "planned information); always-valid inference for harm: \(mixture)"
                : "always-valid inference: \(mixture)",
            alpha: inputs.monitor.alpha, rollbackMetrics: rollback, signalMetrics: metrics.count - rollback,
            reference: Judge.reference)
    }
}

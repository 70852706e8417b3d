import Analysis
import AnalysisCore
import Foundation
import Policy
import RunLedger
import Telemetry
import Vocabulary

extension Monitor {
    /// Files at least this large (bytes) are read on two threads when nothing is stored.
    static let parallelThreshold = 64 << 20

    /// A look's telemetry: what the ledger holds for the run, then what is new in the sources, accumulated and
    /// deduplicated, with the sample of successes drawn.
    static func read(
        _ request: LookRequest, versions: (baseline: String, candidate: String), view: RolloutView?,
        step: StepContext, stepStart: Double?, monitor: MonitorSection, ledger: Ledger?, now: Date
    ) throws -> Ingestion {
        func accumulator() -> Accumulator {
            Accumulator(
                baselineVersion: versions.baseline, candidateVersion: versions.candidate, stepStartedAt: stepStart,
                shadowMode: step.mode == .shadow)
        }
        var stored = accumulator()
        var events = LookEvents(
            runId: view?.run.id, stepIndex: step.stepIndex, retainSuccesses: monitor.retainSuccesses,
            spill: try ledger.map { try TelemetrySpill(ledger: $0) })
        var cursors: [String: TelemetryCursor] = [:]
        if let runId = view?.run.id, let ledger {
            cursors = try ledger.forEachStoredTelemetry(runId: runId) { row in events.load(row, into: &stored) }
        }
        var template = Ingestion(
            accumulator: stored, events: events, monitor: monitor, incremental: view != nil,
            maxLineBytes: request.maxLineBytes, now: now.timeIntervalSince1970)
        // Standard input cannot be read twice: deduplicate it exactly from the start.
        if request.sources.contains(where: { $0.path == "-" }) { template.events.exact = true }
        var pass = try ingest(request, template: template, cursors: cursors, fastPath: view == nil)
        if request.intake, let view, let ledger {
            try pass.ingestIntake(
                ledger: ledger, agent: view.run.agent, since: Timestamp.parse(view.run.createdAt) ?? 0,
                cursor: cursors[Ledger.intakeSource])
        }
        // The fast path collected the events' keys unchecked: a duplicate means one more, exact, pass.
        if view == nil, !pass.events.optimisticKeysAreUnique() {
            var exact = Ingestion(
                accumulator: accumulator(),
                events: LookEvents(runId: nil, stepIndex: step.stepIndex, retainSuccesses: monitor.retainSuccesses),
                monitor: monitor, incremental: false, maxLineBytes: request.maxLineBytes)
            exact.events.exact = true
            pass = try ingest(request, template: exact, cursors: [:], fastPath: true, parallel: false)
        }
        try pass.events.finishSample()
        return pass
    }

    /// Reads every source into `template`: one large native file with nothing to store in two halves on two
    /// threads, anything else in one pass.
    static func ingest(
        _ request: LookRequest, template: Ingestion, cursors: [String: TelemetryCursor], fastPath: Bool,
        parallel: Bool = true
    ) throws -> Ingestion {
        if fastPath, parallel, request.sources.count == 1, request.sources[0].format == .native,
            ProcessInfo.processInfo.activeProcessorCount >= 2, request.stage.environment["AGENT_CANARY_THREADS"] != "1",
            let files = try? TelemetryReader.files(of: request.sources[0]), files.count == 1, files[0] != "-",
            let size = (try? FileManager.default.attributesOfItem(atPath: files[0])[.size]) as? Int,
            size >= Self.parallelThreshold,
            let merged = try Ingestion.parallel(file: files[0], size: size, template: template)
        {
            return merged
        }
        var pass = template
        for spec in request.sources {
            for file in try TelemetryReader.files(of: spec) {
                // Without a run nothing is stored: task lines take the fast path, as hashes and numbers.
                try pass.ingest(file: file, format: spec.format, cursor: cursors[file], fastPath: fastPath)
            }
        }
        return pass
    }
}

import Artifacts
import CIOutput
import Datasets
import Foundation
import JSONLines
import Logging
import Redaction
import RunLedger
import ToolContract
import ToolFiles

/// `feedback-export`: canary evidence from the ledger as a dataset with a manifest.
package enum FeedbackExport {
    /// Writes the dataset and records the export; returns the manifest.
    package static func export(_ request: ExportRequest) throws -> ExportOutcome {
        let recorder = request.stage.recorder(tool: "feedback-export")
        let ledger = try recorder.existingLedger { ExportError.notFound("no ledger at \($0)") }
        try Self.checkReplaceable(request.outDir, ledgerPath: request.stage.ledgerPath)
        // An incremental export reads the watermark, writes the dataset and records the next watermark:
        // concurrent ones of any selection take turns, so each record is exported once per selection.
        guard request.sinceLast else { return try export(request, ledger: ledger, recorder: recorder) }
        return try ledger.withTurnLock { try export(request, ledger: ledger, recorder: recorder) }
    }

    private static func export(_ request: ExportRequest, ledger: Ledger, recorder: StageRecorder) throws
        -> ExportOutcome
    {
        let runs = try ledger.runIds(run: request.runId, agent: request.agent)
        if let run = request.runId, runs.isEmpty { throw ExportError.notFound("run \(run) is not in the ledger") }
        let kinds = request.kinds
        let scope = request.runId.map { "run:\($0)" } ?? request.agent.map { "agent:\($0)" } ?? "all"
        let splitText = request.split.map { "\($0.name)=\($0.share)" }.joined(separator: ",")
        let selectionKey = [
            scope, RecordKind.names(kinds, separator: "+"), request.arm.rawValue, request.format.rawValue, splitText,
        ]
        .joined(separator: "|")
        let after = request.sinceLast ? (try ledger.latestExport(selectionKey: selectionKey)?.watermark ?? 0) : 0
        let upTo = try ledger.latestLook(runIds: runs)

        let redactor = try Redactor(extra: request.redactionPatterns)
        var redactionCounts: [String: Int] = [:]
        func clean(_ text: String?) -> String? {
            guard let text else { return nil }
            let (redacted, counts) = redactor.redact(text)
            for (rule, count) in counts { redactionCounts[rule, default: 0] += count }
            return redacted
        }
        // Written into a new directory beside the destination as the records stream from the ledger, then
        // renamed into place.
        let destination = URL(fileURLWithPath: request.outDir)
        let parent = destination.deletingLastPathComponent()
        Self.clearLeftovers(of: destination)
        let staging = parent.appendingPathComponent(Leftovers.temporaryName(for: destination.lastPathComponent))
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw ArtifactError.cannotWrite(
                path: request.outDir,
                reason: "cannot create a directory beside it (\((error as NSError).localizedDescription))")
        }
        let sink: RecordSink
        do {
            sink = try RecordSink(format: request.format, split: request.split, staging: staging)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
        // Two stages on two threads: this one reads the ledger and redacts; the sink's thread hashes, drops
        // duplicates, formats and writes.
        let pipeline = BatchPipeline<CleanRecord> { batch in
            for item in batch { try sink.take(item) }
        }
        var batch: [CleanRecord] = []
        batch.reserveCapacity(BatchPipeline<CleanRecord>.batchSize)
        var pipelineFailure: (any Error)?
        do {
            try ledger.forEachRetainedRecord(runIds: runs, kinds: kinds, afterLook: after, upToLook: upTo) { record in
                if !request.arm.includes(record.arm) { return true }
                if let since = request.since, record.timestamp < since { return true }
                var record = record
                for (key, value) in record.labels { record.labels[key] = clean(value) }
                record.category = clean(record.category)
                batch.append(CleanRecord(record: record, input: clean(record.input), output: clean(record.output)))
                guard batch.count == BatchPipeline<CleanRecord>.batchSize else { return true }
                defer { batch.removeAll(keepingCapacity: true) }
                return pipeline.push(batch)
            }
            if !batch.isEmpty { _ = pipeline.push(batch) }
        } catch {
            pipelineFailure = error
        }
        do {
            try pipeline.finish()
        } catch {
            pipelineFailure = pipelineFailure ?? error
        }
        if let pipelineFailure {
            try? FileManager.default.removeItem(at: staging)
            throw pipelineFailure
        }
        let evidence = request.format == .openaiDPO || request.format == .trlPreference ? try sink.writePairs() : []

        do {
            let files = try sink.writers.finish()
            let manifest = DatasetManifest(
                ArtifactEnvelope(
                    schema: DatasetManifest.schemaID, runId: request.runId ?? "",
                    createdAt: ArtifactClock.iso8601(recorder.now),
                    tool: ToolInfo(name: "feedback-export"), inputs: request.inputs),
                DatasetManifestFields(
                    format: request.format.rawValue, recordSchema: Self.recordSchema(request.format), files: files,
                    records: files.reduce(0) { $0 + $1.records }, countsByKind: sink.countsByKind,
                    countsBySplit: sink.countsBySplit, countsByArm: sink.countsByArm,
                    countsByVersion: sink.countsByVersion, sourceRuns: runs,
                    selection: [
                        "scope": scope, "kinds": RecordKind.names(kinds, separator: ","), "arm": request.arm.rawValue,
                        "since_last": String(request.sinceLast),
                    ],
                    splitRule: request.split.isEmpty
                        ? "one file"
                        : "by SHA-256 of the conversation id: a conversation is in one split only (\(splitText))",
                    dedupRule:
                        "records with the same SHA-256 of kind, input, output, tool calls and labels are written once",
                    duplicatesDropped: sink.duplicates, redaction: redactionCounts,
                    redactionRules: redactor.rules.map(\.name), watermark: ["after_look": after, "up_to_look": upTo],
                    recordsWithoutContent: sink.withoutContent, recordsNotUsed: sink.notUsed,
                    preferenceEvidence: evidence))
            let manifestData = try ArtifactCoding.encode(manifest)
            try manifestData.write(to: staging.appendingPathComponent("manifest.json"))
            // The CI files are staged with the dataset and moved into place after it is recorded.
            let report = ExportCIReport.make(manifest, outDir: request.outDir)
            let manifestSha = Digest.sha256(manifestData)
            let manifestPath = URL(fileURLWithPath: request.outDir).appendingPathComponent("manifest.json").path
            recorder.add(OutputFile(kind: "dataset-manifest", path: manifestPath, sha256: manifestSha))
            try recorder.stage(report, to: request.stage.ci)
            // The dataset is a directory, renamed into place before the record (the CI files after it): a kill
            // in between leaves the new dataset unrecorded, which the next incremental export writes again.
            Failpoint.hit("export.before-rename", environment: request.stage.environment)
            try Self.replace(destination, with: staging)
            try recorder.commit(exitStatus: 0) { stage in
                _ = try ledger.recordExport(
                    ExportRow(
                        id: 0, selectionKey: selectionKey, scope: scope, kinds: RecordKind.names(kinds, separator: ","),
                        arm: request.arm.rawValue, format: request.format.rawValue, outDir: request.outDir,
                        watermark: upTo,
                        records: manifest.records, manifestSha256: manifestSha, createdAt: manifest.createdAt),
                    after: request.sinceLast ? after : nil, runs: runs, stage: stage, outputs: recorder.outputs)
            }
            let commands = try recorder.publish(report)
            return ExportOutcome(manifest: manifest, workflowCommands: commands)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }

    /// The schema of a format's lines.
    static func recordSchema(_ format: DatasetFormat) -> String {
        switch format {
        case .native, .csv: "agent-canary/feedback-record/v1"
        case .openaiSFT: "openai-chat-fine-tuning"
        case .openaiDPO: "openai-preference-fine-tuning"
        case .trlPreference: "trl-conversational-preference"
        case .benchmarkTasks: "agent-canary/benchmark-results (schemas/benchmark-results.schema.json)"
        }
    }
}

import Artifacts
import CIOutput
import Foundation
import JSONLines
import Ledger
import Logging
import Redaction

/// A dataset format.
package enum DatasetFormat: String, Sendable, CaseIterable {
    case native
    case csv
    /// OpenAI chat fine-tuning (`messages` with tool calls, `tools`), from successful tasks.
    case openaiSFT = "openai-sft"
    /// OpenAI preference fine-tuning (`input`, `preferred_output`, `non_preferred_output`).
    case openaiDPO = "openai-dpo"
    /// TRL conversational preference (`prompt`, `chosen`, `rejected`).
    case trlPreference = "trl-preference"
    /// The failures as regression tasks in the native benchmark format, for the next `benchmark-gate`.
    case benchmarkTasks = "benchmark-tasks"
}

/// What to export and where.
package struct ExportRequest: Sendable {
    package var runId: String?
    package var agent: String?
    package var kinds: [String]
    /// `baseline`, `candidate` or `both`.
    package var arm: String
    package var format: DatasetFormat
    package var outDir: String
    /// Split names and shares summing to 1; empty for one file.
    package var split: [(name: String, share: Double)]
    package var sinceLast: Bool
    /// Only records whose event time is at or after this (seconds since 1970).
    package var since: Double? = nil
    package var ledgerPath: String
    package var environment: [String: String]
    /// The policy's own redaction patterns (name, ICU regular expression), after the built-in rules.
    package var redactionPatterns: [(name: String, pattern: String)] = []
    /// The input files to name in the manifest (the policy).
    package var inputs: [InputFile] = []
    /// The command line, recorded with the stage in the ledger.
    package var arguments: [String] = []
    /// Where the CI report goes (`--junit`, `--summary`, `--dotenv`; GitHub Actions from the environment).
    package var ci = CIDestinations()

    /// Makes a request.
    package init(
        runId: String?, agent: String?, kinds: [String], arm: String, format: DatasetFormat, outDir: String,
        split: [(name: String, share: Double)], sinceLast: Bool, ledgerPath: String, environment: [String: String]
    ) {
        self.runId = runId
        self.agent = agent
        self.kinds = kinds
        self.arm = arm
        self.format = format
        self.outDir = outDir
        self.split = split
        self.sinceLast = sinceLast
        self.ledgerPath = ledgerPath
        self.environment = environment
    }

    /// The kinds `all` stands for.
    package static let allKinds = [
        "failures", "rogue-actions", "negative-feedback", "shadow-disagreements", "successes",
    ]
}

/// Failures of an export.
package enum ExportError: Error, Equatable, CustomStringConvertible {
    case notFound(String)
    /// `--out-dir` names something this tool may not replace: a file, or a directory that holds other files
    /// than a dataset it wrote (or the ledger).
    case notReplaceable(path: String, reason: String)

    package var description: String {
        switch self {
        case .notFound(let text): text
        case .notReplaceable(let path, let reason):
            "--out-dir \(path): \(reason); only a missing or empty directory, or a dataset feedback-export wrote "
                + "(its manifest.json), is replaced: name another directory"
        }
    }
}

extension ExportError: ExitStatusProviding {
    package var exitStatus: ExitStatus {
        switch self {
        case .notFound: .noInput
        case .notReplaceable: .usage
        }
    }
}

/// One file of a dataset in its manifest.
package struct ManifestFile: Codable, Equatable, Sendable {
    package var path: String
    package var sha256: String
    package var records: Int
    package var split: String
}

/// `manifest.json`: what a dataset holds and how it was made.
package struct DatasetManifest: Codable, Equatable, Sendable {
    package static let schemaID = "agent-canary/dataset-manifest/v1"
    package var schema: String
    /// The run when the export covered one run, else empty (`source_runs` lists them).
    package var runId: String
    package var createdAt: String
    package var tool: ToolInfo
    /// The policy whose patterns were redacted, when one was given.
    package var inputs: [InputFile]
    package var format: String
    package var recordSchema: String
    package var files: [ManifestFile]
    package var records: Int
    package var countsByKind: [String: Int]
    package var countsBySplit: [String: Int]
    package var countsByArm: [String: Int]
    package var countsByVersion: [String: Int]
    package var sourceRuns: [String]
    package var selection: [String: String]
    package var splitRule: String
    package var dedupRule: String
    package var duplicatesDropped: Int
    package var redaction: [String: Int]
    package var redactionRules: [String]
    package var watermark: [String: Int64]
    package var recordsWithoutContent: Int
    /// Records the format cannot use (no content, or not a success for fine-tuning).
    package var recordsNotUsed: Int
    /// Why each preference pair prefers what it does (preference formats).
    package var preferenceEvidence: [[String: String]]
}

/// What an export made.
package struct ExportOutcome {
    /// The dataset's manifest.
    package var manifest: DatasetManifest
    /// GitHub Actions workflow commands (annotations) to print on stdout.
    package var workflowCommands: [String]
}

/// `feedback-export`: canary evidence from the ledger as a dataset with a manifest.
package struct FeedbackExport {
    let logger: Logger

    /// An exporter logging to `logger`.
    package init(logger: Logger) {
        self.logger = logger
    }

    /// Writes the dataset and records the export; returns the manifest.
    package func export(_ request: ExportRequest) throws -> ExportOutcome {
        guard FileManager.default.fileExists(atPath: request.ledgerPath) else {
            throw ExportError.notFound("no ledger at \(request.ledgerPath)")
        }
        try Self.checkReplaceable(request.outDir, ledgerPath: request.ledgerPath)
        let startedAt = ArtifactClock.iso8601(ArtifactClock.now(environment: request.environment))
        let ledger = try Ledger(path: request.ledgerPath, logger: logger)
        // An incremental export reads the watermark, writes the dataset and records the next watermark:
        // concurrent ones of any selection take turns, so each record is exported once per selection.
        guard request.sinceLast else { return try export(request, ledger: ledger, startedAt: startedAt) }
        return try ledger.withTurnLock { try export(request, ledger: ledger, startedAt: startedAt) }
    }

    private func export(_ request: ExportRequest, ledger: Ledger, startedAt: String) throws -> ExportOutcome {
        let runs = try ledger.runIds(run: request.runId, agent: request.agent)
        if let run = request.runId, runs.isEmpty { throw ExportError.notFound("run \(run) is not in the ledger") }
        let kinds = Set(request.kinds.contains("all") ? ExportRequest.allKinds : request.kinds)
        let scope = request.runId.map { "run:\($0)" } ?? request.agent.map { "agent:\($0)" } ?? "all"
        let splitText = request.split.map { "\($0.name)=\($0.share)" }.joined(separator: ",")
        let selectionKey = [
            scope, kinds.sorted().joined(separator: "+"), request.arm, request.format.rawValue, splitText,
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
            sink = try RecordSink(request: request, staging: staging)
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
                if request.arm != "both", record.arm != request.arm { return true }
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
                schema: DatasetManifest.schemaID, runId: request.runId ?? "",
                createdAt: ArtifactClock.iso8601(ArtifactClock.now(environment: request.environment)),
                tool: ToolInfo(name: "feedback-export"), inputs: request.inputs, format: request.format.rawValue,
                recordSchema: Self.recordSchema(request.format), files: files,
                records: files.reduce(0) { $0 + $1.records }, countsByKind: sink.countsByKind,
                countsBySplit: sink.countsBySplit, countsByArm: sink.countsByArm,
                countsByVersion: sink.countsByVersion, sourceRuns: runs,
                selection: [
                    "scope": scope, "kinds": kinds.sorted().joined(separator: ","), "arm": request.arm,
                    "since_last": String(request.sinceLast),
                ],
                splitRule: request.split.isEmpty
                    ? "one file"
                    : "by SHA-256 of the conversation id: a conversation is in one split only (\(splitText))",
                dedupRule:
                    "records with the same SHA-256 of kind, input, output, tool calls and labels are written once",
                duplicatesDropped: sink.duplicates, redaction: redactionCounts,
                redactionRules: redactor.rules.map(\.name), watermark: ["after_look": after, "up_to_look": upTo],
                recordsWithoutContent: sink.withoutContent, recordsNotUsed: sink.notUsed, preferenceEvidence: evidence)
            let manifestData = try ArtifactCoding.encode(manifest)
            try manifestData.write(to: staging.appendingPathComponent("manifest.json"))
            // The CI files are staged with the dataset and moved into place after it is recorded.
            let report = ExportCIReport.make(manifest, outDir: request.outDir)
            let publisher = CIPublisher(environment: request.environment)
            let ciFiles = StagedFiles()
            let staged = try publisher.stageFiles(report, to: request.ci, in: ciFiles)
            Failpoint.hit("export.before-rename", environment: request.environment)
            try Self.replace(destination, with: staging)
            let manifestSha = Digest.sha256(manifestData)
            let manifestPath = URL(fileURLWithPath: request.outDir).appendingPathComponent("manifest.json").path
            _ = try ledger.recordExport(
                ExportRow(
                    id: 0, selectionKey: selectionKey, scope: scope, kinds: kinds.sorted().joined(separator: ","),
                    arm: request.arm, format: request.format.rawValue, outDir: request.outDir, watermark: upTo,
                    records: manifest.records, manifestSha256: manifestSha, createdAt: manifest.createdAt),
                after: request.sinceLast ? after : nil, runs: runs,
                stage: StageInvocation(
                    tool: "feedback-export", arguments: request.arguments, startedAt: startedAt,
                    endedAt: ArtifactClock.iso8601(ArtifactClock.now(environment: request.environment)), exitStatus: 0),
                outputs: [OutputFile(kind: "dataset-manifest", path: manifestPath, sha256: manifestSha)]
                    + staged.map { OutputFile(kind: $0.kind, path: $0.path, sha256: Digest.sha256($0.data)) })
            try ciFiles.commit()
            let commands = try publisher.publishToGitHub(report)
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

    /// The split of a conversation: the first 8 bytes of the SHA-256 of its id as a fraction, against the
    /// cumulative shares.
    static func split(of conversation: String, _ split: [(name: String, share: Double)]) -> String {
        guard !split.isEmpty else { return "all" }
        let hex = Digest.sha256(Data(conversation.utf8)).prefix(13)
        let fraction = Double(UInt64(hex, radix: 16) ?? 0) / Double(1 << 52)
        var cumulative = 0.0
        for part in split {
            cumulative += part.share
            if fraction < cumulative { return part.name }
        }
        return split[split.count - 1].name
    }

    static func jsonOrString(_ text: String?) -> String {
        var bytes: [UInt8] = []
        bytes.appendJSONOrString(text)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends a record in the native format (members in name order, so equal records are equal bytes).
    static func appendNativeLine(
        _ record: RetainedRecord, input: String?, output: String?, labels: [String: String], hash: String,
        to line: inout [UInt8]
    ) {
        var object = JSONObjectBytes(&line)
        object.string("arm", record.arm, &line)
        object.string("category", record.category, &line)
        object.raw("content_available", input != nil || output != nil ? "true" : "false", &line)
        object.string("content_sha256", hash, &line)
        object.string("conversation_id", record.conversationId, &line)
        object.string("decision", record.decision, &line)
        object.string("event_id", record.eventKey, &line)
        object.value("input", &line) { $0.appendJSONOrString(input) }
        object.string("kind", record.kind, &line)
        object.value("labels", &line) { bytes in
            var labelObject = JSONObjectBytes(&bytes)
            for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
                labelObject.string(named: key, value, &bytes)
            }
            labelObject.close(&bytes)
        }
        object.raw("look_id", String(record.lookId), &line)
        object.value("metrics", &line) { bytes in
            var metrics = JSONObjectBytes(&bytes)
            metrics.string("cost_source", record.costSource, &bytes)
            for metric in record.metrics.named { metrics.number(metric.name, metric.value, &bytes) }
            metrics.close(&bytes)
        }
        object.string("outcome", record.outcome, &line)
        object.value("output", &line) { $0.appendJSONOrString(output) }
        object.string("request_id", record.requestId, &line)
        object.string("run_id", record.runId, &line)
        object.raw("schema", "\"agent-canary/feedback-record/v1\"", &line)
        object.string("span_id", record.spanId, &line)
        object.raw("step", record.stepIndex.map { String($0 + 1) }, &line)
        object.string("task_id", record.taskId, &line)
        object.raw("tool_calls", record.toolCalls, &line)
        object.string("trace_id", record.traceId, &line)
        object.raw("ts", String(record.timestamp), &line)
        object.string("version", record.version, &line)
        object.close(&line)
    }

    /// A regression task: the prompt of a task that failed (or acted without authorization, or was rated
    /// badly) as a row of the native benchmark format, its id derived from the prompt so the same prompt is
    /// the same task in every export. The row records the observed failure; `input` is what the harness runs.
    static func benchmarkTaskLine(_ record: RetainedRecord, input: String?, output: String?) -> (
        id: String, line: String
    )? {
        guard let input else { return nil }
        let id = "regression-" + Digest.sha256(Data(input.utf8)).prefix(12)
        var fields: [(String, String)] = [
            ("task_id", jsonStringLiteral(id)), ("trial", "1"), ("version", jsonStringLiteral(record.version)),
            ("success", "false"), ("tool_calls", record.toolCalls), ("input", jsonOrString(input)),
            (
                "source",
                "{\"kind\":\(jsonStringLiteral(record.kind)),\"run_id\":\(jsonStringLiteral(record.runId)),"
                    + "\"event_id\":\(jsonStringLiteral(record.eventKey)),\"outcome\":\(jsonStringLiteral(record.outcome))}"
            ),
        ]
        if let category = record.category { fields.append(("category", jsonStringLiteral(category))) }
        if let output { fields.append(("observed_output", jsonOrString(output))) }
        return (id, "{" + fields.sorted { $0.0 < $1.0 }.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
    }

    static let csvHeader =
        "kind,run_id,look_id,step,arm,version,conversation_id,task_id,request_id,event_id,trace_id,span_id,ts,outcome,"
        + "decision,category,cost_usd,cost_source,latency_ms,input_tokens,output_tokens,steps,judge_score,tool_calls,"
        + "input,output,labels"

    /// A CSV row (RFC 4180 quoting). Free-text cells that a spreadsheet would run as a formula (starting with
    /// `=`, `+`, `-`, `@`, tab or carriage return) get a leading `'`, as OWASP advises for CSV exports.
    static func csvLine(_ record: RetainedRecord, input: String?, output: String?, labels: [String: String]) -> String {
        func cell(_ text: String?) -> String {
            guard let text else { return "" }
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        func freeText(_ text: String?) -> String? {
            guard let text, let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else {
                return text
            }
            return "'" + text
        }
        func number(_ value: Double?) -> String? {
            value.map { value in
                var bytes: [UInt8] = []
                bytes.appendJSONNumber(value)
                return String(decoding: bytes, as: UTF8.self)
            }
        }
        let labelText =
            "{"
            + labels.sorted { $0.key < $1.key }.map { "\(jsonStringLiteral($0.key)):\(jsonStringLiteral($0.value))" }
            .joined(separator: ",") + "}"
        let metrics = record.metrics
        let cells: [String?] = [
            record.kind, record.runId, String(record.lookId), record.stepIndex.map { String($0 + 1) }, record.arm,
            record.version, record.conversationId, record.taskId, record.requestId, record.eventKey, record.traceId,
            record.spanId, String(record.timestamp), record.outcome, record.decision, freeText(record.category),
            number(metrics.costUSD), record.costSource, number(metrics.latencyMs), number(metrics.inputTokens),
            number(metrics.outputTokens), number(metrics.steps), number(metrics.judgeScore), record.toolCalls,
            freeText(input), freeText(output), labelText,
        ]
        return cells.map(cell).joined(separator: ",")
    }
}

/// A retained record with its content and labels redacted.
struct CleanRecord {
    var record: RetainedRecord
    var input: String?
    var output: String?
}

/// The writing stage of an export: content hashes and duplicates, the format's lines, the split files and the
/// counts for the manifest. Used by one thread at a time.
final class RecordSink {
    let request: ExportRequest
    let writers: SplitWriters
    var seen: Set<UInt128> = []
    var taskIds: Set<String> = []
    var duplicates = 0
    var withoutContent = 0
    var notUsed = 0
    var countsByKind: [String: Int] = [:]
    var countsBySplit: [String: Int] = [:]
    var countsByArm: [String: Int] = [:]
    var countsByVersion: [String: Int] = [:]
    var forPairs: [(record: RetainedRecord, input: String?, output: String?)] = []

    init(request: ExportRequest, staging: URL) throws {
        self.request = request
        writers = try SplitWriters(
            directory: staging, splits: request.split.isEmpty ? ["all"] : request.split.map(\.name),
            fileExtension: request.format == .csv ? "csv" : "jsonl",
            header: request.format == .csv ? FeedbackExport.csvHeader : nil)
    }

    /// Writes one record (or keeps it for pairing) unless it is a duplicate or the format cannot use it.
    func take(_ item: CleanRecord) throws {
        let record = item.record
        let (input, output) = (item.input, item.output)
        let (contentHash, key) = Digest.sha256Keyed(parts: [
            record.kind, input ?? "", output ?? "", record.toolCalls,
            record.labels.isEmpty ? "[]" : record.labels.sorted { $0.key < $1.key }.description,
        ])
        guard seen.insert(key).inserted else {
            duplicates += 1
            return
        }
        if input == nil && output == nil { withoutContent += 1 }
        let split = FeedbackExport.split(of: record.conversationId, request.split)
        switch request.format {
        case .native:
            try writers.write(split: writers.index(of: split)) {
                FeedbackExport.appendNativeLine(
                    record, input: input, output: output, labels: record.labels, hash: contentHash, to: &$0)
            }
        case .csv:
            try writers.write(
                FeedbackExport.csvLine(record, input: input, output: output, labels: record.labels), split: split)
        case .openaiSFT:
            // Only successes the monitor sampled: a task with negative feedback or a rogue action is not
            // something to learn, even when it ended in success.
            guard record.kind == "successes", record.outcome == "success",
                let sft = TrainingFormats.sftLine(record, input: input, output: output, weight: 1)
            else {
                notUsed += 1
                return
            }
            try writers.write(sft, split: split)
        case .benchmarkTasks:
            guard record.kind != "successes", record.kind != "shadow-disagreements",
                let task = FeedbackExport.benchmarkTaskLine(record, input: input, output: output)
            else {
                notUsed += 1
                return
            }
            // One row per prompt: (task_id, trial) is unique in a benchmark file.
            guard taskIds.insert(task.id).inserted else {
                duplicates += 1
                return
            }
            try writers.write(task.line, split: split)
        case .openaiDPO, .trlPreference:
            forPairs.append((record, input, output))
            return
        }
        countsByKind[record.kind, default: 0] += 1
        countsBySplit[split, default: 0] += 1
        countsByArm[record.arm, default: 0] += 1
        countsByVersion[record.version, default: 0] += 1
    }

    /// Writes the preference pairs of the records kept for pairing; the evidence of each, for the manifest.
    func writePairs() throws -> [[String: String]] {
        let pairs = TrainingFormats.pairs(forPairs)
        notUsed += max(0, forPairs.count - pairs.count * 2)
        var evidence: [[String: String]] = []
        for (index, pair) in pairs.enumerated() {
            // A pair's split follows its prompt, so the same prompt never trains and evaluates.
            let split = FeedbackExport.split(of: TrainingFormats.render(.array(pair.prompt)), request.split)
            try writers.write(
                request.format == .openaiDPO ? TrainingFormats.dpoLine(pair) : TrainingFormats.trlLine(pair),
                split: split)
            var item = pair.evidence
            item["pair"] = String(index + 1)
            item["split"] = split
            evidence.append(item)
            countsBySplit[split, default: 0] += 1
        }
        countsByKind = ["pairs": pairs.count]
        return evidence
    }
}

/// Hands batches of items from the thread that produces them to a thread that consumes them, so the two
/// stages overlap on two cores. At most ``capacity`` batches wait; the producer blocks beyond that.
final class BatchPipeline<Item>: @unchecked Sendable {
    static var batchSize: Int { 512 }
    let capacity = 8
    private let condition = NSCondition()
    private var queue: [[Item]] = []
    private var closed = false
    private var failure: (any Error)?
    private let done = DispatchSemaphore(value: 0)
    private let consume: ([Item]) throws -> Void

    /// Starts the consuming thread.
    init(consume: @escaping ([Item]) throws -> Void) {
        self.consume = consume
        let thread = Thread { [self] in run() }
        thread.start()
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                break
            }
            let batch = queue.removeFirst()
            condition.broadcast()
            condition.unlock()
            do {
                try consume(batch)
            } catch {
                condition.lock()
                failure = error
                queue.removeAll()
                condition.broadcast()
                condition.unlock()
                break
            }
        }
        done.signal()
    }

    /// Queues a batch; `false` when the consumer has failed (stop producing).
    func push(_ batch: [Item]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= capacity && failure == nil { condition.wait() }
        guard failure == nil else { return false }
        queue.append(batch)
        condition.broadcast()
        return true
    }

    /// Waits until every queued batch is consumed; the consumer's error, if it failed.
    func finish() throws {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        done.wait()
        if let failure { throw failure }
    }
}

/// One output file per split, written as lines arrive (buffered), checksummed when finished.
final class SplitWriters {
    let directory: URL
    let fileExtension: String
    let order: [String]
    var handles: [FileHandle] = []
    var buffers: [[UInt8]] = []
    var counts: [Int] = []
    var digests: [Digest.Running] = []

    init(directory: URL, splits: [String], fileExtension: String, header: String?) throws {
        self.directory = directory
        self.fileExtension = fileExtension
        order = splits
        for split in splits {
            let url = directory.appendingPathComponent("\(split).\(fileExtension)")
            guard FileManager.default.createFile(atPath: url.path, contents: nil),
                let handle = try? FileHandle(forWritingTo: url)
            else { throw ArtifactError.cannotWrite(path: url.path, reason: "cannot create the file") }
            handles.append(handle)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 20 + 1 << 16)
            if let header { buffer.appendRaw(header + "\n") }
            buffers.append(buffer)
            counts.append(0)
            digests.append(Digest.Running())
        }
    }

    /// The position of a split in ``order``.
    func index(of split: String) -> Int { order.firstIndex(of: split) ?? 0 }

    /// Appends one line built by `build` to a split's file.
    func write(split index: Int, _ build: (inout [UInt8]) -> Void) throws {
        build(&buffers[index])
        buffers[index].append(0x0A)
        counts[index] += 1
        if buffers[index].count >= 1 << 20 {
            digests[index].update(buffers[index])
            try handles[index].write(contentsOf: buffers[index])
            buffers[index].removeAll(keepingCapacity: true)
        }
    }

    /// Appends one line to a split's file.
    func write(_ line: String, split: String) throws {
        try write(split: index(of: split)) { $0.appendRaw(line) }
    }

    /// Flushes and closes every file; their manifest entries.
    func finish() throws -> [ManifestFile] {
        var files: [ManifestFile] = []
        for (index, split) in order.enumerated() {
            if !buffers[index].isEmpty {
                digests[index].update(buffers[index])
                try handles[index].write(contentsOf: buffers[index])
            }
            try handles[index].synchronize()
            try handles[index].close()
            files.append(
                ManifestFile(
                    path: "\(split).\(fileExtension)", sha256: digests[index].hex(), records: counts[index],
                    split: split))
        }
        return files
    }
}

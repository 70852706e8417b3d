import ArgumentParser
import CommandSupport
import Datasets
import Foundation
import Policy
import PolicyFiles
import RunLedger
import Stages
import Telemetry
import ToolContract

@main
struct FeedbackExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedback-export",
        abstract: "Export canary evidence from the ledger as datasets with a manifest.",
        discussion: """
            Kinds: failures, rogue-actions, negative-feedback, shadow-disagreements, successes (the monitor's \
            sample), all. Formats: native (JSONL with provenance, schemas/feedback-record.schema.json), csv, \
            openai-sft, openai-dpo, trl-preference, benchmark-tasks (regression tasks for benchmark-gate). \
            Content is redacted before anything is written; a conversation is in one split only; the dataset \
            appears in --out-dir complete or not at all, with manifest.json (schemas/dataset-manifest.schema.json).

            Exit status: 0 exported (possibly nothing new); 64 usage error; 65 bad policy; 66 no ledger or no \
            such run; 70 internal error (for example an output directory that cannot be written).
            """,
        version: agentCanaryVersion,
        subcommands: [Export.self, List.self, LedgerCommand.self],
        defaultSubcommand: Export.self)
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a dataset and record the export.")
    @Option(name: .customLong("run"), help: ArgumentHelp("One run.", valueName: "id")) var runID: String?
    @Option(help: ArgumentHelp("Every run of an agent.", valueName: "name")) var agent: String?
    @Flag(help: "Every run.") var all = false
    @Option(help: "failures, rogue-actions, negative-feedback, shadow-disagreements, successes or all (repeatable).")
    var kind: [String] = ["all"]
    @Option(help: "baseline, candidate or both.") var arm = "both"
    @Option(help: "native, csv, openai-sft, openai-dpo, trl-preference or benchmark-tasks.") var format = "native"
    @Option(name: .customLong("out-dir"), help: ArgumentHelp("The dataset's directory.", valueName: "dir"))
    var outDir: String
    @Option(help: ArgumentHelp("Splits by conversation, e.g. train=0.8,eval=0.2.", valueName: "name=share,…"))
    var split: String?
    @Flag(help: "Only what earlier exports of the same selection did not export.") var sinceLast = false
    @Option(help: ArgumentHelp("Only records at or after this time (RFC 3339).", valueName: "time")) var since: String?
    @Option(
        help: ArgumentHelp(
            "The release policy; its export.redact patterns are redacted too.", valueName: "canary.yaml"))
    var policy: String?
    @OptionGroup var ci: CIOptions
    @OptionGroup var ledger: LedgerOptions

    func validate() throws {
        guard [runID != nil, agent != nil, all].filter({ $0 }).count == 1 else {
            throw ValidationError("choose one of --run ID, --agent NAME or --all")
        }
        let kinds = RecordKind.allCases.map(\.rawValue) + ["all"]
        for value in kind where !kinds.contains(value) {
            throw ValidationError("--kind '\(value)' is not one of: \(kinds.sorted().joined(separator: ", "))")
        }
        guard ArmSelection(rawValue: arm) != nil else {
            throw ValidationError("--arm is baseline, candidate or both")
        }
        guard DatasetFormat(rawValue: format) != nil else {
            throw ValidationError(
                "--format is one of: \(DatasetFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        _ = try parsedSplit()
        if sinceLast, since != nil { throw ValidationError("choose --since-last or --since, not both") }
        if let since, Timestamp.parse(since) == nil {
            throw ValidationError("--since '\(since)' is not an RFC 3339 time")
        }
    }

    func parsedSplit() throws -> [(name: String, share: Double)] {
        guard let split else { return [] }
        switch ExportText.splits(split) {
        case .success(let splits): return splits
        case .failure(let refusal): throw ValidationError(refusal.reason)
        }
    }

    func run() throws {
        try ToolRunner.run {
            let loaded = try policy.map { try PolicyLoader.load(path: $0, agentName: nil) }
            var request = ExportRequest(
                runId: runID, agent: agent,
                kinds: kind.contains("all") ? Set(RecordKind.allCases) : Set(kind.compactMap(RecordKind.init)),
                arm: ArmSelection(rawValue: arm) ?? .both, format: DatasetFormat(rawValue: format) ?? .native,
                outDir: outDir, split: try parsedSplit(), sinceLast: sinceLast,
                stage: .invocation(tool: "feedback-export", ledger: ledger, ci: ci))
            request.since = since.flatMap(Timestamp.parse)
            request.redactionPatterns = loaded?.policy.export?.redact.map { ($0.name, $0.pattern) } ?? []
            request.inputs = loaded?.source.map { [$0] } ?? []
            let outcome = try FeedbackExport.export(request)
            let manifest = outcome.manifest
            for command in outcome.workflowCommands { ToolRunner.printResult(command) }
            ToolRunner.printResult(ExportText.summary(manifest, outDir: outDir))
            return 0
        }
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The exports recorded in the ledger, with their watermarks.")
    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        try ToolRunner.run {
            ToolRunner.printResult(ExportText.table(try Ledger.existing(at: ledger.path).exports()))
            return 0
        }
    }
}

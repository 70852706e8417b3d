import Foundation
import JSONLines
import RunLedger
import ToolContract
import Vocabulary

/// A retained record with its content and labels redacted.
package struct CleanRecord {
    var record: RetainedRecord
    var input: String?
    var output: String?

    /// A record whose content and labels are redacted already.
    package init(record: RetainedRecord, input: String?, output: String?) {
        self.record = record
        self.input = input
        self.output = output
    }
}

/// The writing stage of an export: content hashes and duplicates, the format's lines, the split files and the
/// counts for the manifest. Used by one thread at a time.
package final class RecordSink {
    let format: DatasetFormat
    let shares: [(name: String, share: Double)]
    package let writers: SplitWriters
    var seen: Set<UInt128> = []
    var taskIds: Set<String> = []
    package var duplicates = 0
    package var withoutContent = 0
    package var notUsed = 0
    package var countsByKind: [String: Int] = [:]
    package var countsBySplit: [String: Int] = [:]
    package var countsByArm: [String: Int] = [:]
    package var countsByVersion: [String: Int] = [:]
    var forPairs: [(record: RetainedRecord, input: String?, output: String?)] = []

    package init(format: DatasetFormat, split shares: [(name: String, share: Double)], staging: URL) throws {
        self.format = format
        self.shares = shares
        writers = try SplitWriters(
            directory: staging, splits: shares.isEmpty ? ["all"] : shares.map(\.name),
            fileExtension: format == .csv ? "csv" : "jsonl", header: format == .csv ? DatasetLines.csvHeader : nil)
    }

    /// Writes one record (or keeps it for pairing) unless it is a duplicate or the format cannot use it.
    package func take(_ item: CleanRecord) throws {
        let record = item.record
        let (input, output) = (item.input, item.output)
        let (contentHash, key) = Digest.sha256Keyed(parts: [
            record.kind.rawValue, input ?? "", output ?? "", record.toolCalls,
            record.labels.isEmpty ? "[]" : record.labels.sorted { $0.key < $1.key }.description,
        ])
        guard seen.insert(key).inserted else {
            duplicates += 1
            return
        }
        if input == nil && output == nil { withoutContent += 1 }
        let split = DatasetLines.split(of: record.conversationId, shares)
        switch format {
        case .native:
            try writers.write(split: writers.index(of: split)) {
                DatasetLines.appendNativeLine(
                    record, input: input, output: output, labels: record.labels, hash: contentHash, to: &$0)
            }
        case .csv:
            try writers.write(
                DatasetLines.csvLine(record, input: input, output: output, labels: record.labels), split: split)
        case .openaiSFT:
            // Only successes the monitor sampled: a task with negative feedback or a rogue action is not
            // something to learn, even when it ended in success.
            guard record.kind == .successes, record.outcome == .success,
                let sft = TrainingFormats.sftLine(record, input: input, output: output, weight: 1)
            else {
                notUsed += 1
                return
            }
            try writers.write(sft, split: split)
        case .benchmarkTasks:
            guard record.kind != .successes, record.kind != .shadowDisagreements,
                let task = DatasetLines.benchmarkTaskLine(record, input: input, output: output)
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
        countsByKind[record.kind.rawValue, default: 0] += 1
        countsBySplit[split, default: 0] += 1
        countsByArm[record.arm.rawValue, default: 0] += 1
        countsByVersion[record.version, default: 0] += 1
    }

    /// Writes the preference pairs of the records kept for pairing; the evidence of each, for the manifest.
    package func writePairs() throws -> [[String: String]] {
        let pairs = TrainingFormats.pairs(forPairs)
        notUsed += max(0, forPairs.count - pairs.count * 2)
        var evidence: [[String: String]] = []
        for (index, pair) in pairs.enumerated() {
            // A pair's split follows its prompt, so the same prompt never trains and evaluates.
            let split = DatasetLines.split(of: TrainingFormats.render(.array(pair.prompt)), shares)
            try writers.write(
                format == .openaiDPO ? TrainingFormats.dpoLine(pair) : TrainingFormats.trlLine(pair),
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

import Analysis
import AnalysisCore
import ArgumentParser
import CommandSupport
import RunLedger
import Stages
import ToolContract
import Vocabulary

struct Rejudge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute a stored look from the ledger; exit 0 when the result is identical, 70 when not.")
    @Option(help: ArgumentHelp("The look's id (analysis.json's look_id).", valueName: "id")) var look: Int64
    @Flag(help: "Print the recomputed judgement as JSON.") var json = false
    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        try ToolRunner.run {
            let (stored, recomputed, row) = try Monitor.rejudge(
                lookId: look, ledgerPath: ledger.path, logger: ToolRunner.logger(label: "monitor"))
            if json {
                ToolRunner.printResult(String(decoding: try ArtifactCoding.encode(recomputed), as: UTF8.self))
            }
            guard stored == recomputed else {
                ToolRunner.printError(
                    "look \(look): recomputed decision \(recomputed.decision.rawValue) differs from the stored "
                        + "\(stored.decision.rawValue) (or its metrics differ)")
                return ExitStatus.software.rawValue
            }
            if !json {
                ToolRunner.printResult(
                    "look \(look) (\(row.createdAt), run \(row.runId ?? "none")): \(recomputed.decision.rawValue) — "
                        + "identical to the stored judgement (\(recomputed.metrics.count) metrics)")
            }
            return ExitStatus.proceed.rawValue
        }
    }
}

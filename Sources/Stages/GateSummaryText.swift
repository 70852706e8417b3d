import Artifacts
import CIOutput
import Foundation
import Gate
import RunLedger
import Vocabulary

/// The text `benchmark-gate` prints on stdout.
package enum GateSummaryText {
    /// The summary of one gate, followed by GitHub workflow commands when there are any.
    package static func render(_ outcome: GateOutcome) -> String {
        var text = CIRenderer.markdown(outcome.report)
        text +=
            "\nartifact: \(outcome.report.outputs.first { $0.key == "gate_result" }?.value ?? "") · run: \(outcome.result.runId)\n"
        for command in outcome.workflowCommands { text += command + "\n" }
        return text
    }

    /// The `history` listing: a table, or JSON lines.
    package static func history(_ gates: [GateSummary], json: Bool) throws -> String {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return try gates.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.joined(separator: "\n")
        }
        guard !gates.isEmpty else { return "no gates recorded" }
        let table = CITable(
            header: ["Gate", "Run", "Created", "Candidate", "Baseline", "Verdict", "Tasks", "Δ success", "Cost ratio"],
            rows: gates.map { gate in
                [
                    String(gate.gateId), gate.runId, gate.createdAt, gate.candidateVersion, gate.baselineVersion,
                    gate.verdict.rawValue + (gate.blocking ? " (blocking)" : ""), String(gate.matchedTasks),
                    gate.successRateDifference.map { String(format: "%+.1f pts", $0 * 100) } ?? "–",
                    gate.costRatio.map { String(format: "%.3f×", $0) } ?? "–",
                ]
            })
        return CIRenderer.table(table).joined(separator: "\n")
    }
}

import Artifacts
import RunLedger

/// What `feedback-export` prints and reads as text: its `--split` argument, the line that sums up an export,
/// and the table of recorded exports.
package enum ExportText {
    /// The splits `text` names (`train=0.8,eval=0.2`: names with positive shares summing to 1), or why it
    /// names none.
    package static func splits(_ text: String) -> Result<[(name: String, share: Double)], SplitRefusal> {
        var parts: [(name: String, share: Double)] = []
        for item in text.split(separator: ",") {
            let pair = item.split(separator: "=")
            guard pair.count == 2, let share = Double(pair[1]), share > 0, !pair[0].isEmpty else {
                return .failure(SplitRefusal(reason: "--split '\(text)' is not like train=0.8,eval=0.2"))
            }
            parts.append((String(pair[0]), share))
        }
        let total = parts.reduce(0) { $0 + $1.share }
        guard abs(total - 1) < 1e-9 else {
            return .failure(SplitRefusal(reason: "--split shares sum to \(total), not 1"))
        }
        return .success(parts)
    }

    /// Why a `--split` argument names no splits.
    package struct SplitRefusal: Error, CustomStringConvertible {
        package var reason: String
        package var description: String { reason }
    }

    /// `exported 12 record(s) to out (failures 12); 0 duplicate(s) dropped; manifest: out/manifest.json`.
    package static func summary(_ manifest: DatasetManifest, outDir: String) -> String {
        "exported \(manifest.records) record(s) to \(outDir) ("
            + manifest.countsByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                separator: ", ")
            + "); \(manifest.duplicatesDropped) duplicate(s) dropped; manifest: \(outDir)/manifest.json"
    }

    /// The recorded exports as a markdown table, oldest first.
    package static func table(_ rows: [ExportRow]) -> String {
        var lines = [
            "| id | scope | kinds | arm | format | records | watermark (look) | directory | at |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for row in rows {
            let cells: [String] = [
                "\(row.id)", row.scope, row.kinds, row.arm, row.format, "\(row.records)", "\(row.watermark)",
                row.outDir, row.createdAt,
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }
}

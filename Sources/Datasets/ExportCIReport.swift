import Artifacts
import CIOutput

/// The CI report of an export: step outputs (the dataset, its manifest, the record count, the watermark), one
/// passed check per kind in the JUnit report, and the counts and redactions in the summary.
package enum ExportCIReport {
    /// The report of `manifest`, written to `outDir`.
    package static func make(_ manifest: DatasetManifest, outDir: String) -> CIReport {
        let scope = manifest.selection["scope"] ?? "all"
        let redacted = manifest.redaction.values.reduce(0, +)
        let headline =
            "Exported \(manifest.records) record(s) as \(manifest.format) to \(outDir): "
            + "\(manifest.duplicatesDropped) duplicate(s) dropped, \(redacted) value(s) redacted, watermark look "
            + "\(manifest.watermark["up_to_look"] ?? 0)."
        let checks = manifest.countsByKind.sorted { $0.key < $1.key }.map { kind, count in
            CICheck(
                name: kind, group: "feedback-export", outcome: .passed, message: "\(count) record(s) exported",
                kind: "dataset", detail: "format \(manifest.format), scope \(scope)")
        }
        return CIReport(
            tool: "feedback-export",
            title: "feedback-export: \(scope) — \(manifest.records) record(s)",
            headline: headline,
            outputs: [
                CIOutputValue("dataset_dir", outDir), CIOutputValue("manifest", "\(outDir)/manifest.json"),
                CIOutputValue("records", String(manifest.records)), CIOutputValue("format", manifest.format),
                CIOutputValue("watermark", String(manifest.watermark["up_to_look"] ?? 0)),
            ],
            checks: checks,
            table: CITable(
                header: ["kind", "records"],
                rows: manifest.countsByKind.sorted { $0.key < $1.key }.map { [$0.key, String($0.value)] }),
            sections: [
                CISection(
                    title: "Files",
                    table: CITable(
                        header: ["file", "split", "records", "sha256"],
                        rows: manifest.files.map { [$0.path, $0.split, String($0.records), $0.sha256] })),
                CISection(
                    title: "Redactions",
                    table: CITable(
                        header: ["rule", "values removed"],
                        rows: manifest.redaction.sorted { $0.key < $1.key }.map { [$0.key, String($0.value)] }),
                    lines: ["Rules applied: \(manifest.redactionRules.joined(separator: ", "))."]),
            ])
    }
}

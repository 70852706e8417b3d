import Artifacts

/// One file of a dataset in its manifest.
package struct ManifestFile: Codable, Equatable, Sendable {
    package var path: String
    package var sha256: String
    package var records: Int
    package var split: String
}

/// `manifest.json`: what a dataset holds and how it was made.
package typealias DatasetManifest = Enveloped<DatasetManifestFields>

/// The fields of ``DatasetManifest`` after its envelope.
package struct DatasetManifestFields: ArtifactFields {
    package static let schemaID = "agent-canary/dataset-manifest/v1"
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

/// One file of a dataset in its manifest.
package struct ManifestFile: Codable, Equatable, Sendable {
    package var path: String
    package var sha256: String
    package var records: Int
    package var split: String

    /// Makes the value from its fields.
    package init(path: String, sha256: String, records: Int, split: String) {
        self.path = path
        self.sha256 = sha256
        self.records = records
        self.split = split
    }
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

    /// Makes the value from its fields.
    package init(
        format: String, recordSchema: String, files: [ManifestFile], records: Int, countsByKind: [String: Int],
        countsBySplit: [String: Int], countsByArm: [String: Int], countsByVersion: [String: Int], sourceRuns: [String],
        selection: [String: String], splitRule: String, dedupRule: String, duplicatesDropped: Int,
        redaction: [String: Int], redactionRules: [String], watermark: [String: Int64], recordsWithoutContent: Int,
        recordsNotUsed: Int, preferenceEvidence: [[String: String]]
    ) {
        self.format = format
        self.recordSchema = recordSchema
        self.files = files
        self.records = records
        self.countsByKind = countsByKind
        self.countsBySplit = countsBySplit
        self.countsByArm = countsByArm
        self.countsByVersion = countsByVersion
        self.sourceRuns = sourceRuns
        self.selection = selection
        self.splitRule = splitRule
        self.dedupRule = dedupRule
        self.duplicatesDropped = duplicatesDropped
        self.redaction = redaction
        self.redactionRules = redactionRules
        self.watermark = watermark
        self.recordsWithoutContent = recordsWithoutContent
        self.recordsNotUsed = recordsNotUsed
        self.preferenceEvidence = preferenceEvidence
    }
}

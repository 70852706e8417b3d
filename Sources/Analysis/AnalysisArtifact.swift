import AnalysisCore
import Artifacts
import Policy

/// Where a look's telemetry came from and what became of it.
package struct IngestionSummary: Codable, Equatable, Sendable {
    package var sources: [SourceSummary]
    package var newEvents: Int
    package var duplicateEvents: Int
    package var skippedMalformedLines: Int
    package var skippedUnknownVersionEvents: Int
}

/// One telemetry source of a look.
package struct SourceSummary: Codable, Equatable, Sendable {
    package var path: String
    package var format: String
    /// Where reading started and ended (bytes); a file read before resumes where the last look stopped.
    package var fromOffset: Int
    package var toOffset: Int
    package var lines: Int
}

/// `analysis.json`: one look of the monitor (`schemas/analysis.schema.json`).
package typealias AnalysisArtifact = Enveloped<AnalysisFields>

/// The fields of ``AnalysisArtifact`` after its envelope.
package struct AnalysisFields: ArtifactFields {
    package static let schemaID = "agent-canary/analysis/v1"

    package var lookId: Int64
    package var agent: String
    package var baselineVersion: String
    package var candidateVersion: String
    package var mode: RolloutMode
    package var step: Int?
    package var weight: Int?
    package var decision: Decision
    package var reasons: [String]
    package var health: Health
    package var sample: SampleRequirement
    package var metrics: [MetricResult]
    package var segments: [SegmentResult]
    package var shadow: ShadowSummary?
    package var ingestion: IngestionSummary
    package var policySha256: String
    package var method: AnalysisMethod
}

/// The statistical method, stated in every artifact.
package struct AnalysisMethod: Codable, Equatable, Sendable {
    package var sequential: String
    package var alpha: Double
    package var rollbackMetrics: Int
    package var signalMetrics: Int
    package var reference: String
}

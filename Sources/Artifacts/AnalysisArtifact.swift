import AnalysisCore
import Policy
import Vocabulary

/// Where a look's telemetry came from and what became of it.
package struct IngestionSummary: Codable, Equatable, Sendable {
    package var sources: [SourceSummary]
    package var newEvents: Int
    package var duplicateEvents: Int
    package var skippedMalformedLines: Int
    package var skippedUnknownVersionEvents: Int
    /// Complete traces that gave no task, by reason; `nil` when every trace gave one.
    package var unusableTraces: [UnusableTelemetry]?

    /// Makes the value from its fields.
    package init(
        sources: [SourceSummary], newEvents: Int, duplicateEvents: Int, skippedMalformedLines: Int,
        skippedUnknownVersionEvents: Int, unusableTraces: [UnusableTelemetry]? = nil
    ) {
        self.unusableTraces = unusableTraces
        self.sources = sources
        self.newEvents = newEvents
        self.duplicateEvents = duplicateEvents
        self.skippedMalformedLines = skippedMalformedLines
        self.skippedUnknownVersionEvents = skippedUnknownVersionEvents
    }
}

/// One telemetry source of a look.
package struct SourceSummary: Codable, Equatable, Sendable {
    package var path: String
    package var format: String
    /// Where reading started and ended (bytes); a file read before resumes where the last look stopped.
    package var fromOffset: Int
    package var toOffset: Int
    package var lines: Int

    /// Makes the value from its fields.
    package init(path: String, format: String, fromOffset: Int, toOffset: Int, lines: Int) {
        self.path = path
        self.format = format
        self.fromOffset = fromOffset
        self.toOffset = toOffset
        self.lines = lines
    }
}

/// `analysis.json`: one look of the monitor (`schemas/analysis.schema.json`).
package typealias AnalysisArtifact = Enveloped<AnalysisFields>

/// The fields of ``AnalysisArtifact`` after its envelope: what was compared, the ``Judgement`` (its fields
/// written among these, as the schema lists them), where the telemetry came from and the method.
package struct AnalysisFields: ArtifactFields {
    package static let schemaID = "agent-canary/analysis/v1"

    package var lookId: Int64
    package var agent: String
    package var baselineVersion: String
    package var candidateVersion: String
    package var mode: RolloutMode
    package var step: Int?
    package var weight: Int?
    /// The decision, its reasons, the health checks, the sample, the metrics, segments and shadow agreement.
    package var judgement: Judgement
    package var ingestion: IngestionSummary
    package var policySha256: String
    package var method: AnalysisMethod

    /// Makes the fields of a look.
    package init(
        lookId: Int64, agent: String, baselineVersion: String, candidateVersion: String, mode: RolloutMode,
        step: Int?, weight: Int?, judgement: Judgement, ingestion: IngestionSummary, policySha256: String,
        method: AnalysisMethod
    ) {
        self.lookId = lookId
        self.agent = agent
        self.baselineVersion = baselineVersion
        self.candidateVersion = candidateVersion
        self.mode = mode
        self.step = step
        self.weight = weight
        self.judgement = judgement
        self.ingestion = ingestion
        self.policySha256 = policySha256
        self.method = method
    }

    private enum CodingKeys: String, CodingKey {
        case lookId, agent, baselineVersion, candidateVersion, mode, step, weight, ingestion, policySha256, method
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        lookId = try container.decode(Int64.self, forKey: .lookId)
        agent = try container.decode(String.self, forKey: .agent)
        baselineVersion = try container.decode(String.self, forKey: .baselineVersion)
        candidateVersion = try container.decode(String.self, forKey: .candidateVersion)
        mode = try container.decode(RolloutMode.self, forKey: .mode)
        step = try container.decodeIfPresent(Int.self, forKey: .step)
        weight = try container.decodeIfPresent(Int.self, forKey: .weight)
        judgement = try Judgement(from: decoder)
        ingestion = try container.decode(IngestionSummary.self, forKey: .ingestion)
        policySha256 = try container.decode(String.self, forKey: .policySha256)
        method = try container.decode(AnalysisMethod.self, forKey: .method)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lookId, forKey: .lookId)
        try container.encode(agent, forKey: .agent)
        try container.encode(baselineVersion, forKey: .baselineVersion)
        try container.encode(candidateVersion, forKey: .candidateVersion)
        try container.encode(mode, forKey: .mode)
        try container.encodeIfPresent(step, forKey: .step)
        try container.encodeIfPresent(weight, forKey: .weight)
        try judgement.encode(to: encoder)
        try container.encode(ingestion, forKey: .ingestion)
        try container.encode(policySha256, forKey: .policySha256)
        try container.encode(method, forKey: .method)
    }
}

/// The statistical method, stated in every artifact.
package struct AnalysisMethod: Codable, Equatable, Sendable {
    package var sequential: String
    package var alpha: Double
    package var rollbackMetrics: Int
    package var signalMetrics: Int
    package var reference: String

    /// Makes the value from its fields.
    package init(sequential: String, alpha: Double, rollbackMetrics: Int, signalMetrics: Int, reference: String) {
        self.sequential = sequential
        self.alpha = alpha
        self.rollbackMetrics = rollbackMetrics
        self.signalMetrics = signalMetrics
        self.reference = reference
    }
}

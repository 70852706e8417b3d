/// The fields an artifact has after the envelope's, and its schema's identifier.
package protocol ArtifactFields: Codable, Equatable, Sendable {
    /// The schema identifier of the artifact these fields belong to, for example `agent-canary/rollout/v1`.
    static var schemaID: String { get }
}

/// An artifact: the envelope every artifact starts with (``ArtifactEnvelope``) and its own fields, written as
/// one JSON object (keys sorted, so the envelope's fields fall among the others as the schema lists them).
///
/// A field of either part reads as the artifact's own (`artifact.runId`, `artifact.verdict`).
@dynamicMemberLookup
package struct Enveloped<Fields: ArtifactFields>: Codable, Equatable, Sendable {
    /// The schema identifier of this artifact.
    package static var schemaID: String { Fields.schemaID }

    package var envelope: ArtifactEnvelope
    package var fields: Fields

    /// An artifact of `fields` in `envelope`.
    package init(_ envelope: ArtifactEnvelope, _ fields: Fields) {
        self.envelope = envelope
        self.fields = fields
    }

    package subscript<Value>(dynamicMember path: WritableKeyPath<ArtifactEnvelope, Value>) -> Value {
        get { envelope[keyPath: path] }
        set { envelope[keyPath: path] = newValue }
    }

    package subscript<Value>(dynamicMember path: WritableKeyPath<Fields, Value>) -> Value {
        get { fields[keyPath: path] }
        set { fields[keyPath: path] = newValue }
    }

    package init(from decoder: any Decoder) throws {
        envelope = try ArtifactEnvelope(from: decoder)
        fields = try Fields(from: decoder)
    }

    package func encode(to encoder: any Encoder) throws {
        try envelope.encode(to: encoder)
        try fields.encode(to: encoder)
    }
}

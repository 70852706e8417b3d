import Foundation

/// The one JSON encoder and decoder configuration every artifact uses.
///
/// Keys are sorted and snake_case, slashes are not escaped, and output is pretty-printed with a final
/// newline, so the same artifact always has the same bytes and the same SHA-256.
package enum ArtifactCoding {
    /// An encoder for artifacts.
    package static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .throw
        return encoder
    }

    /// A decoder for artifacts.
    package static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// Encodes an artifact to its canonical bytes, ending with a newline.
    package static func encode(_ value: some Encodable) throws -> Data {
        var data = try makeEncoder().encode(value)
        data.append(0x0A)
        return data
    }
}

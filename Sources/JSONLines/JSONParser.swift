/// A strict RFC 8259 JSON parser over UTF-8 bytes.
///
/// Foundation's `JSONSerialization` and `JSONDecoder` are far too slow for benchmark suites and telemetry
/// files of hundreds of megabytes and give no byte offset on error; this parser works directly on the
/// bytes, reports the offset of the first error, and parses integers and short decimals without
/// allocating.
package struct JSONParser {
    /// Why a text is not valid JSON, with the byte offset where parsing stopped.
    package struct SyntaxError: Error, Equatable, Sendable {
        /// Byte offset of the error from the start of the parsed text.
        package var offset: Int
        /// What was wrong there.
        package var reason: String
    }

    /// Parses one complete JSON text; only whitespace may surround the value.
    package static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(SyntaxError) -> JSONValue {
        var parser = Cursor(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.position != bytes.count {
            throw SyntaxError(offset: parser.position, reason: "unexpected text after the JSON value")
        }
        return value
    }

    /// Parses one complete JSON text held in an array of bytes.
    package static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSONValue {
        let result: Result<JSONValue, SyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(SyntaxError) -> JSONValue in try parse(buffer) }
        }
        return try result.get()
    }

    /// Parses one complete JSON text held in a string.
    package static func parse(_ text: String) throws(SyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

extension JSONParser {
    /// The offset just past the value that starts at `offset` (after whitespace), checked exactly as
    /// ``JSONScanner/skipValue()`` checks it at nesting `depth`; `nil` when the value is not valid JSON.
    package static func endOfValue(in bytes: UnsafeBufferPointer<UInt8>, from offset: Int, depth: Int) -> Int? {
        var cursor = Cursor(bytes: bytes)
        cursor.position = offset
        cursor.skipWhitespace()
        do {
            try cursor.skipValue(depth: depth)
            return cursor.position
        } catch {
            return nil
        }
    }
}

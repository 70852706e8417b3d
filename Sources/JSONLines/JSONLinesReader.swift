/// One line of a JSONL text that failed to parse.
package struct JSONLineError: Error, Equatable, Sendable {
    /// 1-based line number.
    package var line: Int
    /// 1-based column (in bytes) where parsing stopped.
    package var column: Int
    /// What was wrong.
    package var reason: String
}

/// Splits UTF-8 bytes into lines and parses each non-blank line as JSON.
package enum JSONLinesReader {
    /// Calls `body` with the 1-based line number and the parsed value of every non-blank line.
    ///
    /// A trailing carriage return is ignored, so files written on Windows read the same. Parsing stops
    /// at the first line that is not valid JSON, or when `body` throws.
    package static func forEachLine<Failure: Error>(
        in bytes: UnsafeBufferPointer<UInt8>,
        _ body: (Int, JSONValue) throws(Failure) -> Void
    ) throws(Failure) -> Result<Void, JSONLineError> {
        var lineStart = 0
        var lineNumber = 0
        while lineStart < bytes.count {
            lineNumber += 1
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            var contentEnd = lineEnd
            if contentEnd > lineStart, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<contentEnd])
            if !isBlank(line) {
                let value: JSONValue
                do {
                    value = try JSONParser.parse(line)
                } catch {
                    return .failure(JSONLineError(line: lineNumber, column: error.offset + 1, reason: error.reason))
                }
                try body(lineNumber, value)
            }
            lineStart = lineEnd + 1
        }
        return .success(())
    }

    /// The 1-based line and column of a byte offset in a text.
    package static func location(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        return (line, offset - lineStart + 1)
    }

    private static func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}

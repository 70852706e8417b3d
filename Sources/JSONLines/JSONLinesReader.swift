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
    /// Calls `body` with the 1-based line number and the bytes of every non-blank line.
    ///
    /// A trailing carriage return is not part of the line, so files written on Windows read the same.
    package static func forEachLine<Failure: Error>(
        in bytes: UnsafeBufferPointer<UInt8>,
        _ body: (Int, UnsafeBufferPointer<UInt8>) throws(Failure) -> Void
    ) throws(Failure) {
        var lineStart = 0
        var lineNumber = 0
        while lineStart < bytes.count {
            lineNumber += 1
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            var contentEnd = lineEnd
            if contentEnd > lineStart, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<contentEnd])
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                try body(lineNumber, line)
            }
            lineStart = lineEnd + 1
        }
    }

    /// Calls `body` with the 1-based line number and the parsed value of every non-blank line.
    ///
    /// Parsing stops at the first line that is not valid JSON, which is returned as the failure, or when
    /// `body` throws.
    package static func forEachValue<Failure: Error>(
        in bytes: UnsafeBufferPointer<UInt8>,
        _ body: (Int, JSONValue) throws(Failure) -> Void
    ) throws(Failure) -> Result<Void, JSONLineError> {
        var failure: JSONLineError?
        try forEachLine(in: bytes) { (number, line) throws(Failure) in
            guard failure == nil else { return }
            switch Result(catching: { () throws(JSONParser.SyntaxError) in try JSONParser.parse(line) }) {
            case .success(let value):
                try body(number, value)
            case .failure(let error):
                failure = JSONLineError(line: number, column: error.offset + 1, reason: error.reason)
            }
        }
        return failure.map { .failure($0) } ?? .success(())
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
}

/// Splits UTF-8 bytes into lines, and locates byte offsets by line and column.
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

import Foundation
import JSONLines
import ToolContract
import ToolFiles

/// Reads benchmark results, detecting the format.
package enum BenchmarkReader {
    /// Reads the results at `path`; `inspectScorer` picks the scorer of an Inspect AI log with several.
    package static func read(path: String, inspectScorer: String? = nil) throws(BenchmarkInputError)
        -> BenchmarkSuite
    {
        let data: Data
        do {
            data = try InputFileReader.read(path, json: true)
        } catch {
            switch error {
            case .missingFile(let path): throw .missingFile(path: path)
            case .notJSON:
                // Known after the first read: the parser would say the same of the whole file.
                throw .unknownFormat(path: path, reason: "the file does not start with '{' or '['")
            default: throw .unreadable(path: path, reason: error.description)
            }
        }
        return try parse(data, path: path, inspectScorer: inspectScorer)
    }

    /// Parses results held in memory; `path` names them in errors.
    package static func parse(_ data: Data, path: String, inspectScorer: String? = nil) throws(BenchmarkInputError)
        -> BenchmarkSuite
    {
        // Parse the file's bytes in place: a copy would double the memory a large suite takes.
        let result: Result<BenchmarkSuite, BenchmarkInputError> = data.withUnsafeBytes { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            return Result { () throws(BenchmarkInputError) -> BenchmarkSuite in
                let (format, attempts, version) = try parse(buffer, path: path, inspectScorer: inspectScorer)
                return BenchmarkSuite(
                    path: path, sha256: Digest.sha256(data), format: format, attempts: attempts,
                    declaredVersion: version)
            }
        }
        return try result.get()
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, path: String, inspectScorer: String?)
        throws(BenchmarkInputError) -> (BenchmarkFormat, [BenchmarkAttempt], String?)
    {
        var start = 0
        while start < bytes.count, [0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains(bytes[start]) { start += 1 }
        guard start < bytes.count else { throw .empty(path: path) }
        switch bytes[start] {
        case UInt8(ascii: "["):
            var parser = NativeResultsParser(path: path)
            return (.native, try parser.parseArray(bytes), parser.version)
        case UInt8(ascii: "{"):
            // One JSON object per line is native JSONL; a document spread over lines, or a single line
            // holding an Inspect log's `eval` and `samples`, is an Inspect AI log.
            var firstLineEnd = start
            while firstLineEnd < bytes.count, bytes[firstLineEnd] != 0x0A { firstLineEnd += 1 }
            let firstLine = UnsafeBufferPointer(rebasing: bytes[start..<firstLineEnd])
            // A first line that is broken before its end is a bad JSONL row (reported by the row parser
            // with its field); one that merely ends early is the start of a multi-line document.
            let firstLineIsRow: Bool
            do {
                firstLineIsRow = !InspectLogParser.looksLikeLog(try JSONParser.parse(firstLine))
            } catch {
                firstLineIsRow = error.offset < firstLine.count
            }
            if firstLineIsRow {
                var parser = NativeResultsParser(path: path)
                return (.native, try parser.parseLines(bytes), parser.version)
            }
            let document: JSONValue
            do {
                document = try JSONParser.parse(bytes)
            } catch {
                let location = JSONLinesReader.location(of: error.offset, in: bytes)
                throw .malformed(
                    file: path, line: location.line, field: "",
                    reason: "not valid JSON at column \(location.column): \(error.reason)")
            }
            guard InspectLogParser.looksLikeLog(document) else {
                throw .unknownFormat(path: path, reason: "a JSON object without Inspect AI's 'eval' and 'samples'")
            }
            let parser = InspectLogParser(path: path, scorer: inspectScorer)
            return (.inspect, try parser.parse(document), parser.version(of: document))
        default:
            throw .unknownFormat(path: path, reason: "the file does not start with '{' or '['")
        }
    }
}

import JSONLines
import ToolContract

/// Parses native benchmark results (`schemas/benchmark-results.schema.json`), JSONL or a JSON array.
///
/// Rows are read with ``JSONScanner`` straight into ``BenchmarkAttempt`` values: a 50,000-row suite is
/// parsed without building a dictionary per row. Unknown fields are skipped, so harnesses may add their own.
struct NativeResultsParser {
    let path: String
    /// The rows' common `version` field, once parsed.
    private(set) var version: String?
    private var versionLine = 0
    private var seen: [AttemptKey: Int] = [:]

    init(path: String) {
        self.path = path
    }

    mutating func parseLines(_ bytes: UnsafeBufferPointer<UInt8>) throws(BenchmarkInputError) -> [BenchmarkAttempt] {
        var attempts: [BenchmarkAttempt] = []
        try JSONLinesReader.forEachLine(in: bytes) { (lineNumber, line) throws(BenchmarkInputError) in
            var scanner = JSONScanner(line)
            let attempt = try self.attempt(&scanner, line: lineNumber, text: line)
            if case .failure(let error) = Result(catching: { () throws(JSONParser.SyntaxError) in
                try scanner.expectEnd()
            }) {
                throw syntax(error, line: lineNumber, text: line)
            }
            attempts.append(attempt)
        }
        guard !attempts.isEmpty else { throw .empty(path: path) }
        return attempts
    }

    mutating func parseArray(_ bytes: UnsafeBufferPointer<UInt8>) throws(BenchmarkInputError) -> [BenchmarkAttempt] {
        var attempts: [BenchmarkAttempt] = []
        var scanner = JSONScanner(bytes)
        var lineCursor = (offset: 0, line: 1, start: 0)
        func locate(_ offset: Int) -> (line: Int, start: Int) {
            for index in lineCursor.offset..<min(offset, bytes.count) where bytes[index] == 0x0A {
                lineCursor.line += 1
                lineCursor.start = index + 1
            }
            lineCursor.offset = max(lineCursor.offset, offset)
            return (lineCursor.line, lineCursor.start)
        }
        do {
            try scanner.beginArray()
            while try scanner.nextElement() {
                let (line, start) = locate(scanner.offset)
                var end = start
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                let text = UnsafeBufferPointer(rebasing: bytes[start..<end])
                var elementScanner = JSONScanner(UnsafeBufferPointer(rebasing: bytes[scanner.offset...]))
                attempts.append(try attempt(&elementScanner, line: line, text: text, base: scanner.offset - start))
                try scanner.skipValue()
            }
            try scanner.expectEnd()
        } catch let error as JSONParser.SyntaxError {
            let location = JSONLinesReader.location(of: error.offset, in: bytes)
            throw .malformed(
                file: path, line: location.line, field: "",
                reason: "not valid JSON at column \(location.column): \(error.reason)")
        } catch let error as BenchmarkInputError {
            throw error
        } catch {
            throw .malformed(file: path, line: lineCursor.line, field: "", reason: String(describing: error))
        }
        guard !attempts.isEmpty else { throw .empty(path: path) }
        return attempts
    }

    /// Reads one row from the scanner's position. `text` is the row's line and `base` the offset of the
    /// scanner's start within it, so syntax errors can name the column and the field.
    private mutating func attempt(
        _ scanner: inout JSONScanner, line: Int, text: UnsafeBufferPointer<UInt8>, base: Int = 0
    )
        throws(BenchmarkInputError) -> BenchmarkAttempt
    {
        var row = RowReader(path: path, line: line)
        do {
            try row.read(&scanner)
        } catch let error as JSONParser.SyntaxError {
            var shifted = error
            shifted.offset += base
            throw syntax(shifted, line: line, text: text)
        } catch let error as BenchmarkInputError {
            throw error
        } catch {
            throw .malformed(file: path, line: line, field: "", reason: String(describing: error))
        }
        let attempt = try row.attempt()
        if let rowVersion = row.version {
            if let version, version != rowVersion {
                throw .malformed(
                    file: path, line: line, field: "version",
                    reason:
                        "'\(rowVersion)' differs from '\(version)' on line \(versionLine); one file holds one version")
            }
            if version == nil { (version, versionLine) = (rowVersion, line) }
        }
        let key = AttemptKey(taskId: attempt.taskId, trial: attempt.trial)
        if let firstLine = seen[key] {
            throw .duplicateAttempt(
                file: path, line: line, taskId: attempt.taskId, trial: attempt.trial, firstLine: firstLine)
        }
        seen[key] = line
        return attempt
    }

    private func syntax(_ error: JSONParser.SyntaxError, line: Int, text: UnsafeBufferPointer<UInt8>)
        -> BenchmarkInputError
    {
        .malformed(
            file: path, line: line, field: fieldNear(column: error.offset + 1, in: text),
            reason: "not valid JSON at column \(error.offset + 1): \(error.reason)")
    }
}

/// The fields of one native row as they are scanned.
private struct RowReader {
    let path: String
    let line: Int
    var taskId: String?
    var trial: Int?
    var category: String?
    var version: String?
    var success: Bool?
    var score: Double?
    var cost: Double?
    var latency: Double?
    var inputTokens: Double?
    var outputTokens: Double?
    var steps: Double?
    var unauthorized: Int?
    var rogueCalls: Int?
    var error: AttemptError?

    init(path: String, line: Int) {
        self.path = path
        self.line = line
    }

    func fail(_ field: String, _ reason: String) -> BenchmarkInputError {
        .malformed(file: path, line: line, field: field, reason: reason)
    }

    mutating func read(_ scanner: inout JSONScanner) throws {
        guard scanner.peek() == UInt8(ascii: "{") else {
            throw fail("", "expected an object, found \(scanner.peekTypeDescription())")
        }
        try scanner.beginObject()
        while let key = try scanner.nextMember() {
            if try scanner.consumeNull() { continue }
            switch key {
            case "task_id": taskId = try identifier(&scanner, key)
            case "trial": trial = try integer(&scanner, key, minimum: 0)
            case "category": category = try string(&scanner, key)
            case "version": version = try string(&scanner, key)
            case "success": success = try bool(&scanner, key)
            case "score": score = try number(&scanner, key, in: 0...1)
            case "cost_usd": cost = try number(&scanner, key, in: InputLimits.cost)
            case "latency_ms": latency = try number(&scanner, key, in: InputLimits.latencyMs)
            case "input_tokens": inputTokens = try number(&scanner, key, in: InputLimits.count)
            case "output_tokens": outputTokens = try number(&scanner, key, in: InputLimits.count)
            case "steps": steps = try number(&scanner, key, in: InputLimits.count)
            case "unauthorized_actions": unauthorized = try integer(&scanner, key, minimum: 0)
            case "error":
                let text = try string(&scanner, key)
                guard let parsed = AttemptError(rawValue: text) else {
                    throw fail(key, "'\(text)' is not one of: agent, infra")
                }
                error = parsed
            case "tool_calls": rogueCalls = try toolCalls(&scanner)
            default: try scanner.skipValue()
            }
        }
    }

    func attempt() throws(BenchmarkInputError) -> BenchmarkAttempt {
        guard let taskId else { throw fail("task_id", "required field is missing") }
        if success == nil, score == nil, error == nil {
            throw fail("success", "a row needs 'success' (true/false) or 'score' (0–1), or an 'error'")
        }
        return BenchmarkAttempt(
            taskId: taskId, trial: trial ?? 1, category: category, success: success, score: score, costUSD: cost,
            latencyMs: latency, inputTokens: inputTokens, outputTokens: outputTokens, steps: steps,
            unauthorizedActions: max(unauthorized ?? 0, rogueCalls ?? 0), error: error, line: line)
    }

    private func toolCalls(_ scanner: inout JSONScanner) throws -> Int {
        guard scanner.peek() == UInt8(ascii: "[") else {
            throw fail("tool_calls", "expected an array, found \(scanner.peekTypeDescription())")
        }
        try scanner.beginArray()
        var index = 0
        var rogue = 0
        while try scanner.nextElement() {
            guard scanner.peek() == UInt8(ascii: "{") else {
                throw fail("tool_calls[\(index)]", "expected an object, found \(scanner.peekTypeDescription())")
            }
            try scanner.beginObject()
            var hasName = false
            var authorized: Bool?
            while let key = try scanner.nextMember() {
                switch key {
                case "name":
                    guard scanner.peek() == UInt8(ascii: "\"") else {
                        throw fail(
                            "tool_calls[\(index)].name", "expected a string, found \(scanner.peekTypeDescription())")
                    }
                    try scanner.skipValue()
                    hasName = true
                case "authorized": authorized = try bool(&scanner, "tool_calls[\(index)].authorized")
                default: try scanner.skipValue()
                }
            }
            guard hasName else { throw fail("tool_calls[\(index)].name", "required field is missing") }
            guard let authorized else { throw fail("tool_calls[\(index)].authorized", "required field is missing") }
            if !authorized { rogue += 1 }
            index += 1
        }
        return rogue
    }

    private func identifier(_ scanner: inout JSONScanner, _ field: String) throws -> String {
        if scanner.peek() == UInt8(ascii: "\"") {
            let text = try scanner.string()
            guard !text.isEmpty else { throw fail(field, "expected a non-empty string or an integer") }
            return text
        }
        let number = try number(&scanner, field, in: -1e15...1e15)
        guard number.rounded() == number else { throw fail(field, "expected a non-empty string or an integer") }
        return String(Int(number))
    }

    private func string(_ scanner: inout JSONScanner, _ field: String) throws -> String {
        guard scanner.peek() == UInt8(ascii: "\"") else {
            throw fail(field, "expected a string, found \(scanner.peekTypeDescription())")
        }
        return try scanner.string()
    }

    private func bool(_ scanner: inout JSONScanner, _ field: @autoclosure () -> String) throws -> Bool {
        guard let byte = scanner.peek(), byte == UInt8(ascii: "t") || byte == UInt8(ascii: "f") else {
            throw fail(field(), "expected true or false, found \(scanner.peekTypeDescription())")
        }
        return try scanner.bool()
    }

    private func number(_ scanner: inout JSONScanner, _ field: String, in range: ClosedRange<Double>) throws -> Double {
        guard let byte = scanner.peek(), byte == UInt8(ascii: "-") || (byte >= 0x30 && byte <= 0x39) else {
            throw fail(field, "expected a number, found \(scanner.peekTypeDescription())")
        }
        let value = try scanner.number()
        guard range.contains(value) else {
            throw fail(field, "\(value) is out of range (\(InputLimits.describe(range)))")
        }
        return value
    }

    private func integer(_ scanner: inout JSONScanner, _ field: String, minimum: Int) throws -> Int {
        let value = try number(&scanner, field, in: Double(minimum)...InputLimits.count.upperBound)
        guard value.rounded() == value else { throw fail(field, "expected an integer, found \(value)") }
        return Int(value)
    }
}

struct AttemptKey: Hashable {
    var taskId: String
    var trial: Int
}

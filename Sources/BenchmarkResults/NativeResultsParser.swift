import JSONLines

/// Parses native benchmark results (`schemas/benchmark-results.schema.json`).
struct NativeResultsParser {
    let path: String
    /// The rows' common `version` field, once parsed.
    private(set) var version: String?
    private var versionLine = 0

    init(path: String) {
        self.path = path
    }

    mutating func parseLines(_ bytes: UnsafeBufferPointer<UInt8>) throws(BenchmarkInputError) -> [BenchmarkAttempt] {
        var attempts: [BenchmarkAttempt] = []
        var seen: [AttemptKey: Int] = [:]
        let outcome = try JSONLinesReader.forEachLine(in: bytes) { (line, value) throws(BenchmarkInputError) in
            attempts.append(try attempt(from: value, line: line, seen: &seen))
        }
        if case .failure(let error) = outcome {
            throw .malformed(
                file: path, line: error.line, field: fieldNear(column: error.column, in: line(error.line, of: bytes)),
                reason: "not valid JSON at column \(error.column): \(error.reason)")
        }
        guard !attempts.isEmpty else { throw .empty(path: path) }
        return attempts
    }

    mutating func parseArray(_ bytes: UnsafeBufferPointer<UInt8>) throws(BenchmarkInputError) -> [BenchmarkAttempt] {
        var elements: [(Int, JSONValue)] = []
        do {
            try JSONParser.forEachElement(ofArray: bytes) { offset, value in elements.append((offset, value)) }
        } catch {
            let location = JSONLinesReader.location(of: error.offset, in: bytes)
            throw .malformed(
                file: path, line: location.line, field: "",
                reason: "not valid JSON at column \(location.column): \(error.reason)")
        }
        var attempts: [BenchmarkAttempt] = []
        var seen: [AttemptKey: Int] = [:]
        var lineCursor = (offset: 0, line: 1)
        for (offset, value) in elements {
            for index in lineCursor.offset..<offset where bytes[index] == 0x0A { lineCursor.line += 1 }
            lineCursor.offset = offset
            attempts.append(try attempt(from: value, line: lineCursor.line, seen: &seen))
        }
        guard !attempts.isEmpty else { throw .empty(path: path) }
        return attempts
    }

    private mutating func attempt(from value: JSONValue, line: Int, seen: inout [AttemptKey: Int]) throws(BenchmarkInputError)
        -> BenchmarkAttempt
    {
        let row = try RowFields(value, file: path, line: line)
        let taskId = try row.identifier("task_id")
        let trial = try row.integer("trial") ?? 1
        let error: AttemptError?
        switch try row.string("error") {
        case nil: error = nil
        case let text?:
            guard let parsed = AttemptError(rawValue: text) else {
                throw row.fail("error", "'\(text)' is not one of: agent, infra")
            }
            error = parsed
        }
        let success = try row.bool("success")
        let score = try row.number("score", in: 0...1)
        if success == nil, score == nil, error == nil {
            throw row.fail("success", "a row needs 'success' (true/false) or 'score' (0–1), or an 'error'")
        }
        var unauthorized = try row.integer("unauthorized_actions")
        if let calls = row.present("tool_calls") {
            guard let list = calls.arrayValue else {
                throw row.fail("tool_calls", "expected an array, found \(calls.typeDescription)")
            }
            var rogue = 0
            for (index, call) in list.enumerated() {
                let fields = try RowFields(call, file: path, line: line, prefix: "tool_calls[\(index)]")
                guard try fields.string("name") != nil else { throw fields.fail("name", "required field is missing") }
                guard let authorized = try fields.bool("authorized") else {
                    throw fields.fail("authorized", "required field is missing")
                }
                if !authorized { rogue += 1 }
            }
            unauthorized = max(unauthorized ?? 0, rogue)
        }
        if let rowVersion = try row.string("version") {
            if let version, version != rowVersion {
                throw row.fail("version", "'\(rowVersion)' differs from '\(version)' on line \(versionLine); one file holds one version")
            }
            if version == nil { (version, versionLine) = (rowVersion, line) }
        }
        let key = AttemptKey(taskId: taskId, trial: trial)
        if let firstLine = seen[key] {
            throw .duplicateAttempt(file: path, line: line, taskId: taskId, trial: trial, firstLine: firstLine)
        }
        seen[key] = line
        return BenchmarkAttempt(
            taskId: taskId, trial: trial, category: try row.string("category"), success: success, score: score,
            costUSD: try row.number("cost_usd"), latencyMs: try row.number("latency_ms"),
            inputTokens: try row.number("input_tokens"), outputTokens: try row.number("output_tokens"),
            steps: try row.number("steps"), unauthorizedActions: unauthorized ?? 0, error: error, line: line)
    }

    private func line(_ number: Int, of bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var current = 1
        var start = 0
        while current < number, start < bytes.count {
            if bytes[start] == 0x0A { current += 1 }
            start += 1
        }
        var end = start
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }
}

struct AttemptKey: Hashable {
    var taskId: String
    var trial: Int
}

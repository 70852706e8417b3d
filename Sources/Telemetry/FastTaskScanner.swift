import Foundation
import JSONLines
import Vocabulary

/// A 64-bit FNV-1a hash of a string: keys for deduplication and conversations in memory, so a million
/// events fit in a few tens of megabytes (a collision among a million keys has a chance of about 3·10⁻⁸).
package func stableHash(_ text: String) -> UInt64 {
    var text = text
    return text.withUTF8 { fnv1a($0, 0..<$0.count) }
}

/// A 64-bit FNV-1a hash of bytes; equal to ``stableHash(_:)`` of the same text.
@inline(__always)
package func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for index in range {
        hash ^= UInt64(bytes[index])
        hash = hash &* 0x100_0000_01b3
    }
    return hash
}

/// The hot path of native telemetry: reads one `task` line without allocating, as hashes, numbers and byte
/// ranges. Any line it is not sure of (another event type, an escape in a string, a missing or odd field,
/// a number outside its ``TaskFact`` range) makes ``scan(_:)`` return `false`, and the caller parses that
/// line with ``NativeEventParser``, which reports errors with their field — so both paths accept exactly
/// the same input.
package struct FastTaskScanner {
    package var timestamp = 0.0
    package var eventHash: UInt64 = 0
    package var versionRange = 0..<0
    package var conversationHash: UInt64 = 0
    package var conversationRange = 0..<0
    package var taskHash: UInt64 = 0
    package var requestHash: UInt64 = 0
    package var outcome: TaskOutcome = .success
    package var cost = Double.nan
    package var latency = Double.nan
    package var inputTokens = Double.nan
    package var outputTokens = Double.nan
    package var steps = Double.nan
    package var judge = Double.nan
    package var categoryRange: Range<Int>?
    package var categoryHash: UInt64 = 0
    /// Tool call names (hashes and ranges) and whether any call was unauthorized.
    /// The line's tool calls (up to 16; a line with more takes the slow path), kept inline so that reading
    /// a line allocates and counts no references.
    package private(set) var toolCount = 0
    private var toolHashStore:
        (
            UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
            UInt64, UInt64, UInt64
        ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    private var toolBoundStore:
        (
            Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int,
            Int,
            Int, Int, Int, Int, Int, Int, Int, Int, Int, Int
        ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    static let maxTools = 16

    /// Calls `body` with the tool calls' name hashes.
    @inline(__always)
    package func withToolHashes<R>(_ body: (UnsafeBufferPointer<UInt64>) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: toolHashStore) { raw in
            try body(
                UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt64.self), count: toolCount))
        }
    }

    /// The byte range of tool call `index`'s name in the line.
    package func toolRange(_ index: Int) -> Range<Int> {
        withUnsafeBytes(of: toolBoundStore) { raw in
            let bounds = raw.bindMemory(to: Int.self)
            return bounds[2 * index]..<bounds[2 * index + 1]
        }
    }

    @inline(__always) mutating func appendTool(_ hash: UInt64, _ range: Range<Int>) -> Bool {
        guard toolCount < Self.maxTools else { return false }
        let index = toolCount
        withUnsafeMutableBytes(of: &toolHashStore) { $0.storeBytes(of: hash, toByteOffset: index * 8, as: UInt64.self) }
        withUnsafeMutableBytes(of: &toolBoundStore) { raw in
            raw.storeBytes(of: range.lowerBound, toByteOffset: 2 * index * 8, as: Int.self)
            raw.storeBytes(of: range.upperBound, toByteOffset: (2 * index + 1) * 8, as: Int.self)
        }
        toolCount += 1
        return true
    }
    package var unauthorized = false

    var bytes = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    var position = 0

    /// A scanner.
    package init() {
    }

    @inline(__always) mutating func skipWhitespace() {
        while position < bytes.count {
            let byte = bytes[position]
            guard byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A else { return }
            position += 1
        }
    }

    @inline(__always) mutating func expect(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// A string without escapes, in well-formed UTF-8: the range of its content.
    @inline(__always) mutating func plainString() -> Range<Int>? {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == 0x22 else { return nil }
        let start = position &+ 1
        let index = firstNotPlainStringByte(bytes, from: start)
        guard index < bytes.count else { return nil }
        let byte = bytes[index]
        if byte >= 0x80 { return nonASCIIString(from: start, at: index) }
        guard byte == 0x22 else { return nil }
        position = index &+ 1
        return start..<index
    }

    /// The rest of a string that starts at `start` and has a non-ASCII byte at `index`: its range when it has
    /// no escapes and its content is well-formed UTF-8, as the full parser requires.
    mutating func nonASCIIString(from start: Int, at index: Int) -> Range<Int>? {
        // Past each non-ASCII byte with the same eight-byte scan; a backslash or control byte ends the fast path.
        var end = index
        while end < bytes.count, bytes[end] >= 0x80 { end = firstNotPlainStringByte(bytes, from: end + 1) }
        guard end < bytes.count, bytes[end] == 0x22, isWellFormedUTF8(UnsafeBufferPointer(rebasing: bytes[start..<end]))
        else {
            return nil
        }
        position = end + 1
        return start..<end
    }

    mutating func number() -> Double? {
        skipWhitespace()
        var index = position
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        guard index < bytes.count, bytes[index] != UInt8(ascii: "-") else { return nil }  // negatives: slow path
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            mantissa = mantissa &* 10 &+ UInt64(bytes[index] - 0x30)
            digits += 1
            index += 1
        }
        guard digits > 0, digits == 1 || bytes[position] != 0x30 else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                mantissa = mantissa &* 10 &+ UInt64(bytes[index] - 0x30)
                digits += 1
                fractionDigits += 1
                index += 1
            }
            guard fractionDigits > 0 else { return nil }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") { return nil }
        guard digits <= 15 else { return nil }
        position = index
        // Exact integer over an exact power of ten: one rounding, the correctly rounded result.
        return Double(mantissa) / Self.powerOfTen(fractionDigits)
    }

    /// 10ⁿ for n ≤ 15, exactly (no global table: its lazy initialisation check costs on every number).
    @inline(__always) static func powerOfTen(_ exponent: Int) -> Double {
        var value = 1.0
        var remaining = exponent
        while remaining >= 4 {
            value *= 10_000
            remaining -= 4
        }
        while remaining > 0 {
            value *= 10
            remaining -= 1
        }
        return value
    }

    /// Skips any value at nesting `depth` (1 for a member of the line's object), checked exactly as the full
    /// parser checks a value it skips.
    mutating func skipValue(depth: Int) -> Bool {
        guard let end = JSONParser.endOfValue(in: bytes, from: position, depth: depth) else { return false }
        position = end
        return true
    }

    @inline(__always) func equals(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        let count = range.count
        guard count == literal.utf8CodeUnitCount, let base = bytes.baseAddress else { return false }
        let text = UnsafeRawPointer(base + range.lowerBound)
        let pattern = UnsafeRawPointer(literal.utf8Start)
        // Eight bytes at a time (the last word overlapping), then byte by byte below eight.
        if count >= 8 {
            var offset = 0
            while offset + 8 < count {
                guard
                    text.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                        == pattern.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                else { return false }
                offset += 8
            }
            return text.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                == pattern.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        for offset in 0..<count
        where text.load(fromByteOffset: offset, as: UInt8.self) != pattern.load(fromByteOffset: offset, as: UInt8.self)
        {
            return false
        }
        return true
    }

    /// Reads `line`; `true` when it is a task event read completely.
    package mutating func scan(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes = line
        position = 0
        cost = .nan
        latency = .nan
        inputTokens = .nan
        outputTokens = .nan
        steps = .nan
        judge = .nan
        categoryRange = nil
        requestHash = 0
        toolCount = 0
        unauthorized = false
        var seen: UInt8 = 0  // type, ts, event_id, version, conversation_id, task_id, outcome
        guard expect(UInt8(ascii: "{")) else { return false }
        if expect(UInt8(ascii: "}")) { return false }
        while true {
            guard let key = plainString(), expect(UInt8(ascii: ":")) else { return false }
            skipWhitespace()
            guard position < bytes.count else { return false }
            if bytes[position] == UInt8(ascii: "n") {
                // null: the slow path decides what a null means.
                return false
            }
            switch key.count {
            case 2 where equals(key, "ts"):
                guard let value = plainString(),
                    let time = Timestamp.parse(UnsafeBufferPointer(rebasing: bytes[value]))
                else { return false }
                timestamp = time
                seen |= 2
            case 4 where equals(key, "type"):
                guard let value = plainString(), equals(value, "task") else { return false }
                seen |= 1
            case 5 where equals(key, "steps"):
                guard let value = number(), TaskFact.steps.accepts(value) else { return false }
                steps = value
            case 5 where equals(key, "input"):
                guard skipValue(depth: 1) else { return false }
            case 6 where equals(key, "output"):
                guard skipValue(depth: 1) else { return false }
            case 7 where equals(key, "version"):
                guard let value = plainString(), !value.isEmpty else { return false }
                versionRange = value
                seen |= 8
            case 7 where equals(key, "outcome"):
                guard let value = plainString() else { return false }
                if equals(value, "success") {
                    outcome = .success
                } else if equals(value, "failure") {
                    outcome = .failure
                } else if equals(value, "error") {
                    outcome = .error
                } else if equals(value, "abandoned") {
                    outcome = .abandoned
                } else {
                    return false
                }
                seen |= 64
            case 7 where equals(key, "task_id"):
                guard let value = plainString(), !value.isEmpty else { return false }
                taskHash = fnv1a(bytes, value)
                seen |= 32
            case 8 where equals(key, "event_id"):
                guard let value = plainString(), !value.isEmpty else { return false }
                eventHash = fnv1a(bytes, value)
                seen |= 4
            case 8 where equals(key, "cost_usd"):
                guard let value = number(), TaskFact.cost.accepts(value) else { return false }
                cost = value
            case 8 where equals(key, "category"):
                guard let value = plainString() else { return false }
                categoryRange = value
                categoryHash = fnv1a(bytes, value)
            case 10 where equals(key, "latency_ms"):
                guard let value = number(), TaskFact.latency.accepts(value) else { return false }
                latency = value
            case 10 where equals(key, "request_id"):
                guard let value = plainString() else { return false }
                requestHash = fnv1a(bytes, value)
            case 10 where equals(key, "tool_calls"):
                guard readToolCalls() else { return false }
            case 11 where equals(key, "judge_score"):
                guard let value = number(), TaskFact.judgeScore.accepts(value) else { return false }
                judge = value
            case 12 where equals(key, "input_tokens"):
                guard let value = number(), TaskFact.inputTokens.accepts(value) else { return false }
                inputTokens = value
            case 13 where equals(key, "output_tokens"):
                guard let value = number(), TaskFact.outputTokens.accepts(value) else { return false }
                outputTokens = value
            case 15 where equals(key, "conversation_id"):
                guard let value = plainString(), !value.isEmpty else { return false }
                conversationHash = fnv1a(bytes, value)
                conversationRange = value
                seen |= 16
            default:
                // Fields the full parser reads with a type (those of other event types) are its to judge.
                if equals(key, "rating") || equals(key, "thumbs") || equals(key, "severity")
                    || equals(key, "proposed_tool_calls") || equals(key, "comment") || equals(key, "action")
                    || equals(key, "policy")
                {
                    return false
                }
                guard skipValue(depth: 1) else { return false }
            }
            if expect(UInt8(ascii: ",")) { continue }
            guard expect(UInt8(ascii: "}")) else { return false }
            break
        }
        skipWhitespace()
        return position == bytes.count && seen == 127
    }

    mutating func readToolCalls() -> Bool {
        // A repeated `tool_calls` replaces the earlier one, as in the full parser.
        toolCount = 0
        unauthorized = false
        guard expect(UInt8(ascii: "[")) else { return false }
        if expect(UInt8(ascii: "]")) { return true }
        while true {
            guard expect(UInt8(ascii: "{")) else { return false }
            var name: Range<Int>?
            var authorized: Bool?
            if !expect(UInt8(ascii: "}")) {
                while true {
                    guard let key = plainString(), expect(UInt8(ascii: ":")) else { return false }
                    skipWhitespace()
                    if equals(key, "name") {
                        guard let value = plainString() else { return false }
                        name = value
                    } else if equals(key, "authorized") {
                        if position + 4 <= bytes.count, bytes[position] == UInt8(ascii: "t"),
                            bytes[position + 1] == UInt8(ascii: "r"), bytes[position + 2] == UInt8(ascii: "u"),
                            bytes[position + 3] == UInt8(ascii: "e")
                        {
                            authorized = true
                            position += 4
                        } else if position + 5 <= bytes.count, bytes[position] == UInt8(ascii: "f"),
                            bytes[position + 1] == UInt8(ascii: "a"), bytes[position + 2] == UInt8(ascii: "l"),
                            bytes[position + 3] == UInt8(ascii: "s"), bytes[position + 4] == UInt8(ascii: "e")
                        {
                            authorized = false
                            position += 5
                        } else {
                            return false
                        }
                    } else {
                        // A member of a call, in the `tool_calls` array of the line's object.
                        guard skipValue(depth: 3) else { return false }
                    }
                    if expect(UInt8(ascii: ",")) { continue }
                    guard expect(UInt8(ascii: "}")) else { return false }
                    break
                }
            }
            guard let name, let authorized else { return false }
            guard appendTool(fnv1a(bytes, name), name) else { return false }
            if !authorized { unauthorized = true }
            if expect(UInt8(ascii: ",")) { continue }
            return expect(UInt8(ascii: "]"))
        }
    }
}

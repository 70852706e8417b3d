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

private let maximumDepth = 512

private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    func fail(_ reason: String, at offset: Int? = nil) -> JSONParser.SyntaxError {
        JSONParser.SyntaxError(offset: offset ?? position, reason: reason)
    }

    mutating func parseValue(depth: Int) throws(JSONParser.SyntaxError) -> JSONValue {
        guard position < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw fail("unexpected character '\(printable(bytes[position]))'")
        }
    }

    mutating func skipValue(depth: Int) throws(JSONParser.SyntaxError) {
        guard position < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            let start = position
            position += 1
            var ascii = true
            while position < bytes.count {
                position = firstNotPlainStringByte(bytes, from: position)
                guard position < bytes.count else { break }
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    // A skipped string is held to what a read one is: well-formed UTF-8.
                    if !ascii, !isWellFormedUTF8(UnsafeBufferPointer(rebasing: bytes[(start + 1)..<position])) {
                        throw fail("invalid UTF-8 in a string", at: start + 1)
                    }
                    position += 1
                    return
                }
                if byte >= 0x80 {
                    ascii = false
                    position += 1
                    continue
                }
                if byte == UInt8(ascii: "\\") {
                    // Escapes are checked by the full parser; validate them here only when present.
                    position = start
                    _ = try parseString()
                    return
                }
                if byte < 0x20 { throw fail("control character in a string") }
                position += 1
            }
            throw fail("unterminated string", at: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let isObject = bytes[position] == UInt8(ascii: "{")
            guard depth < maximumDepth else { throw fail("nesting deeper than \(maximumDepth) levels") }
            let closing = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            position += 1
            skipWhitespace()
            if position < bytes.count, bytes[position] == closing {
                position += 1
                return
            }
            while true {
                skipWhitespace()
                if isObject {
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                        throw fail("expected a member name in quotes")
                    }
                    try skipValue(depth: depth + 1)
                    skipWhitespace()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                        throw fail("expected ':' after a member name")
                    }
                    position += 1
                    skipWhitespace()
                }
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard position < bytes.count else { throw fail("unexpected end of input") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                } else if bytes[position] == closing {
                    position += 1
                    return
                } else {
                    throw fail(isObject ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array")
                }
            }
        default:
            _ = try parseValue(depth: depth)
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParser.SyntaxError) {
        let start = position
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail("unexpected end of input", at: start) }
        let pointer = literal.utf8Start
        for index in 0..<count where bytes[position + index] != pointer[index] {
            throw fail("invalid literal", at: start)
        }
        position += count
    }

    mutating func parseObject(depth: Int) throws(JSONParser.SyntaxError) -> JSONValue {
        guard depth <= maximumDepth else { throw fail("nesting deeper than \(maximumDepth) levels") }
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of input in an object") }
            guard bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a member name in quotes") }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw fail("expected ':' after member name \"\(key)\"")
            }
            position += 1
            skipWhitespace()
            members[key] = try parseValue(depth: depth)
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of input in an object") }
            switch bytes[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .object(members)
            default: throw fail("expected ',' or '}' in an object")
            }
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParser.SyntaxError) -> JSONValue {
        guard depth <= maximumDepth else { throw fail("nesting deeper than \(maximumDepth) levels") }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of input in an array") }
            switch bytes[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(elements)
            default: throw fail("expected ',' or ']' in an array")
            }
        }
    }

    mutating func parseString() throws(JSONParser.SyntaxError) -> String {
        let start = position
        position += 1
        let contentStart = position
        // Fast path: no escapes, so the bytes between the quotes are the string.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[contentStart..<position])
                position += 1
                return try validatedString(slice, at: contentStart)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail("control character in a string") }
            position += 1
        }
        guard position < bytes.count else { throw fail("unterminated string", at: start) }
        var buffer = Array(bytes[contentStart..<position])
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return try buffer.withUnsafeBufferPointer { slice throws(JSONParser.SyntaxError) in
                    try validatedString(slice, at: contentStart)
                }
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw fail("unterminated string", at: start) }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): buffer.append(0x22)
                case UInt8(ascii: "\\"): buffer.append(0x5C)
                case UInt8(ascii: "/"): buffer.append(0x2F)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"): try appendUnicodeEscape(to: &buffer)
                default: throw fail("invalid escape '\\\(printable(escape))'", at: position - 2)
                }
            default:
                if byte < 0x20 { throw fail("control character in a string") }
                buffer.append(byte)
                position += 1
            }
        }
        throw fail("unterminated string", at: start)
    }

    func validatedString(_ slice: UnsafeBufferPointer<UInt8>, at offset: Int) throws(JSONParser.SyntaxError) -> String {
        // Most strings in telemetry are ASCII: copying them needs no validation, which is the expensive part.
        var ascii = true
        for byte in slice where byte >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            return String(unsafeUninitializedCapacity: slice.count) { buffer in
                _ = buffer.initialize(fromContentsOf: slice)
                return slice.count
            }
        }
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw fail("invalid UTF-8 in a string", at: offset)
        }
        return text
    }

    mutating func readHex4() throws(JSONParser.SyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid hex digit in a \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    mutating func appendUnicodeEscape(to buffer: inout [UInt8]) throws(JSONParser.SyntaxError) {
        var scalar = try readHex4()
        if (0xD800...0xDBFF).contains(scalar) {
            guard position + 6 <= bytes.count, bytes[position] == UInt8(ascii: "\\"),
                bytes[position + 1] == UInt8(ascii: "u")
            else { throw fail("unpaired surrogate in a \\u escape") }
            position += 2
            let low = try readHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate in a \\u escape") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw fail("unpaired surrogate in a \\u escape")
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
        buffer.append(contentsOf: UTF8.encode(unicode).map { Array($0) } ?? [])
    }

    mutating func parseNumber() throws(JSONParser.SyntaxError) -> Double {
        let start = position
        var negative = false
        if bytes[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid number", at: start) }
        var mantissa: UInt64 = 0
        var digits = 0
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) {
                throw fail("leading zero in a number", at: start)
            }
        } else {
            while position < bytes.count, isDigit(bytes[position]) {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(bytes[position] - UInt8(ascii: "0")) }
                digits += 1
                position += 1
            }
        }
        var fractionDigits = 0
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw fail("expected a digit after '.'", at: start)
            }
            while position < bytes.count, isDigit(bytes[position]) {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(bytes[position] - UInt8(ascii: "0")) }
                if mantissa != 0 || digits > 0 { digits += 1 }
                fractionDigits += 1
                position += 1
            }
        }
        var hasExponent = false
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            hasExponent = true
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw fail("expected a digit in the exponent", at: start)
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        // Clinger's fast path: an exact mantissa below 2^53 divided by an exact power of ten is correctly
        // rounded. Anything else goes through the standard library's correctly rounded conversion.
        if !hasExponent, digits <= 15, fractionDigits <= 22 {
            let value = Double(mantissa) / powersOfTen[fractionDigits]
            return negative ? -value : value
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw fail("number out of range", at: start) }
        return value
    }

    func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    func printable(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
    }
}

private let powersOfTen: [Double] = (0...22).map { exponent in
    var value = 1.0
    for _ in 0..<exponent { value *= 10 }
    return value
}

/// A pull parser over one JSON text, for hot paths that read known fields without building a
/// ``JSONValue`` for every row.
///
/// Member names come back as `String`s (names of up to 15 UTF-8 bytes are stored inline, without
/// allocating); values are read with the typed methods or skipped.
package struct JSONScanner {
    private var cursor: Cursor

    /// Starts scanning `bytes`.
    package init(_ bytes: UnsafeBufferPointer<UInt8>) {
        cursor = Cursor(bytes: bytes)
    }

    /// The byte offset of the scanner.
    package var offset: Int { cursor.position }

    /// The type of the next value: `"{"`, `"["`, `"\""`, a digit or `-`, `t`/`f`, `n`, or `nil` at the end.
    package mutating func peek() -> UInt8? {
        cursor.skipWhitespace()
        return cursor.position < cursor.bytes.count ? cursor.bytes[cursor.position] : nil
    }

    /// A description of the next value's type, for error messages.
    package mutating func peekTypeDescription() -> String {
        switch peek() {
        case UInt8(ascii: "{"): "an object"
        case UInt8(ascii: "["): "an array"
        case UInt8(ascii: "\""): "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "a boolean"
        case UInt8(ascii: "n"): "null"
        case nil: "nothing"
        case let byte?:
            byte == UInt8(ascii: "-") || (byte >= 0x30 && byte <= 0x39)
                ? "a number" : "'\(cursor.printable(byte))', which is not valid JSON"
        }
    }

    /// Whether the next value is `null`; consumes it if so.
    package mutating func consumeNull() throws(JSONParser.SyntaxError) -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try cursor.expectLiteral("null")
        return true
    }

    /// Enters an object; the caller then loops over ``nextMember()``.
    package mutating func beginObject() throws(JSONParser.SyntaxError) {
        guard peek() == UInt8(ascii: "{") else { throw cursor.fail("expected an object") }
        cursor.position += 1
        state.append(true)
    }

    /// Enters an array; the caller then loops over ``nextElement()``.
    package mutating func beginArray() throws(JSONParser.SyntaxError) {
        guard peek() == UInt8(ascii: "[") else { throw cursor.fail("expected an array") }
        cursor.position += 1
        state.append(true)
    }

    private var state: [Bool] = []

    /// The next member name of the current object, positioned at its value, or `nil` after the `}`.
    package mutating func nextMember() throws(JSONParser.SyntaxError) -> String? {
        guard try advance(closing: UInt8(ascii: "}")) else { return nil }
        guard peek() == UInt8(ascii: "\"") else { throw cursor.fail("expected a member name in quotes") }
        let key = try cursor.parseString()
        cursor.skipWhitespace()
        guard cursor.position < cursor.bytes.count, cursor.bytes[cursor.position] == UInt8(ascii: ":") else {
            throw cursor.fail("expected ':' after member name \"\(key)\"")
        }
        cursor.position += 1
        return key
    }

    /// Whether the current array has another element (positioned at it), `false` after the `]`.
    package mutating func nextElement() throws(JSONParser.SyntaxError) -> Bool {
        try advance(closing: UInt8(ascii: "]"))
    }

    private mutating func advance(closing: UInt8) throws(JSONParser.SyntaxError) -> Bool {
        let first = state.last ?? true
        cursor.skipWhitespace()
        guard cursor.position < cursor.bytes.count else { throw cursor.fail("unexpected end of input") }
        if cursor.bytes[cursor.position] == closing {
            cursor.position += 1
            state.removeLast()
            return false
        }
        if !first {
            guard cursor.bytes[cursor.position] == UInt8(ascii: ",") else {
                throw cursor.fail("expected ',' or '\(String(UnicodeScalar(closing)))'")
            }
            cursor.position += 1
        }
        state[state.count - 1] = false
        cursor.skipWhitespace()
        return true
    }

    /// Reads a string value.
    package mutating func string() throws(JSONParser.SyntaxError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw cursor.fail("expected a string") }
        return try cursor.parseString()
    }

    /// Reads a number value.
    package mutating func number() throws(JSONParser.SyntaxError) -> Double {
        guard let byte = peek(), byte == UInt8(ascii: "-") || (byte >= 0x30 && byte <= 0x39) else {
            throw cursor.fail("expected a number")
        }
        return try cursor.parseNumber()
    }

    /// Reads a boolean value.
    package mutating func bool() throws(JSONParser.SyntaxError) -> Bool {
        switch peek() {
        case UInt8(ascii: "t"):
            try cursor.expectLiteral("true")
            return true
        case UInt8(ascii: "f"):
            try cursor.expectLiteral("false")
            return false
        default:
            throw cursor.fail("expected true or false")
        }
    }

    /// Reads any value as a ``JSONValue``.
    package mutating func value() throws(JSONParser.SyntaxError) -> JSONValue {
        cursor.skipWhitespace()
        return try cursor.parseValue(depth: state.count)
    }

    /// Skips the next value without building it.
    package mutating func skipValue() throws(JSONParser.SyntaxError) {
        cursor.skipWhitespace()
        try cursor.skipValue(depth: state.count)
    }

    /// Checks that only whitespace remains.
    package mutating func expectEnd() throws(JSONParser.SyntaxError) {
        cursor.skipWhitespace()
        if cursor.position != cursor.bytes.count {
            throw cursor.fail("unexpected text after the JSON value")
        }
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

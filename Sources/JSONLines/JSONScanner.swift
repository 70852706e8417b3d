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

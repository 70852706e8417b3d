import JSONLines

extension Redactor {
    /// How deep JSON documents inside JSON strings are opened (a chat message holding a tool call's arguments
    /// as a JSON string is two levels).
    static let documentDepth = 4

    /// `text` with every match replaced, and how many values each rule removed.
    ///
    /// A text that is a JSON document (an object or an array: the messages of a chat, a tool call's arguments)
    /// is redacted string by string on the decoded text, so that escapes (`jane\u0040example.com`, a PEM key
    /// with `\n`) hide nothing, and number by number (a card number written as a number); each changed value
    /// is written back as a JSON string, everything else byte for byte, so the document stays valid JSON. Any
    /// other text is redacted as a whole.
    package func redact(_ text: String) -> (text: String, counts: [String: Int]) {
        var counts: [String: Int] = [:]
        let redacted = redact(text, depth: 0, counts: &counts)
        return (redacted, counts)
    }

    private func redact(_ text: String, depth: Int, counts: inout [String: Int]) -> String {
        if depth < Self.documentDepth, let document = redactDocument(text, depth: depth, counts: &counts) {
            return document
        }
        let (redacted, found) = redactPlain(text)
        for (rule, count) in found { counts[rule, default: 0] += count }
        return redacted
    }

    /// `text` redacted value by value when it is a JSON object or array; `nil` when it is not one.
    private func redactDocument(_ text: String, depth: Int, counts: inout [String: Int]) -> String? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first(where: { !Self.isWhitespace($0) }),
            first == UInt8(ascii: "{") || first == UInt8(ascii: "["),
            (try? JSONParser.parse(bytes)) != nil
        else { return nil }
        var output: [UInt8] = []
        var copied = 0
        var index = 0
        func replace(_ range: Range<Int>, with value: String) {
            if output.isEmpty { output.reserveCapacity(bytes.count + 32) }
            output.append(contentsOf: bytes[copied..<range.lowerBound])
            output.appendJSONString(value)
            copied = range.upperBound
        }
        // The document is valid JSON: every `"` outside a string opens one, and every string ends.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                var end = index + 1
                while bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                let literal = index..<(end + 1)
                if let decoded = (try? JSONParser.parse(Array(bytes[literal])))?.stringValue {
                    let redacted = redact(decoded, depth: depth + 1, counts: &counts)
                    if redacted != decoded { replace(literal, with: redacted) }
                }
                index = end + 1
            } else if byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) {
                var end = index
                while end < bytes.count, Self.isNumberByte(bytes[end]) { end += 1 }
                let number = String(decoding: bytes[index..<end], as: UTF8.self)
                let (redacted, found) = redactPlain(number)
                if redacted != number {
                    for (rule, count) in found { counts[rule, default: 0] += count }
                    replace(index..<end, with: redacted)
                }
                index = end
            } else {
                index += 1
            }
        }
        guard copied > 0 else { return text }
        output.append(contentsOf: bytes[copied...])
        return String(decoding: output, as: UTF8.self)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
            || byte == UInt8(ascii: "E")
    }
}

/// JSON text appended in place to a byte buffer, without intermediate strings: the export's hot path writes
/// a million records this way.
extension [UInt8] {
    /// Appends `text`'s bytes as they are.
    package mutating func appendRaw(_ text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends `text`'s UTF-8 bytes as they are.
    package mutating func appendRaw(_ text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }

    /// Appends `text` as a JSON string literal (see ``jsonStringLiteral(_:)``).
    package mutating func appendJSONString(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            append(UInt8(ascii: "\""))
            var start = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                append(UInt8(ascii: "\\"))
                switch byte {
                case 0x22, 0x5C: append(byte)
                case 0x0A: append(UInt8(ascii: "n"))
                case 0x0D: append(UInt8(ascii: "r"))
                case 0x09: append(UInt8(ascii: "t"))
                default:
                    let digits: StaticString = "0123456789abcdef"
                    appendRaw("u00")
                    append(digits.utf8Start[Int(byte >> 4)])
                    append(digits.utf8Start[Int(byte & 0x0F)])
                }
                start = index + 1
            }
            append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
            append(UInt8(ascii: "\""))
        }
    }

    /// Appends `text` as it is when it is a JSON object or array, else as a JSON string literal; `null` for
    /// `nil`.
    package mutating func appendJSONOrString(_ text: String?) {
        guard var text else {
            appendRaw("null")
            return
        }
        let isJSON = text.withUTF8 { bytes in
            guard let first = bytes.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
                return false
            }
            return JSONParser.isValid(bytes)
        }
        if isJSON { appendRaw(text) } else { appendJSONString(text) }
    }

    /// Appends a number: integers without a fraction, others in the shortest form that reads back the same,
    /// `null` for infinities and NaN (which JSON cannot hold).
    package mutating func appendJSONNumber(_ value: Double) {
        if !value.isFinite {
            appendRaw("null")
        } else if value == value.rounded(), abs(value) < 1e15 {
            appendRaw(String(Int64(value)))
        } else {
            appendRaw(String(value))
        }
    }

    /// Appends `"name":` (a name that needs no escape).
    package mutating func appendMemberName(_ name: StaticString) {
        append(UInt8(ascii: "\""))
        appendRaw(name)
        appendRaw("\":")
    }
}

/// Writes one JSON object's members into a byte buffer, commas included; members are written in the order
/// given (callers give them in name order for canonical output).
package struct JSONObjectBytes {
    private var first = true

    /// Starts an object: appends `{`.
    package init(_ bytes: inout [UInt8]) {
        bytes.appendRaw("{")
    }

    private mutating func name(_ name: StaticString, _ bytes: inout [UInt8]) {
        if !first { bytes.appendRaw(",") }
        first = false
        bytes.appendMemberName(name)
    }

    /// A string member; nothing when `value` is `nil`.
    package mutating func string(_ name: StaticString, _ value: String?, _ bytes: inout [UInt8]) {
        guard let value else { return }
        self.name(name, &bytes)
        bytes.appendJSONString(value)
    }

    /// A string member whose name is only known at run time (escaped as needed).
    package mutating func string(named name: String, _ value: String, _ bytes: inout [UInt8]) {
        if !first { bytes.appendRaw(",") }
        first = false
        bytes.appendJSONString(name)
        bytes.appendRaw(":")
        bytes.appendJSONString(value)
    }

    /// A member whose value is JSON text as it is (numbers, literals, stored JSON); nothing when `nil`.
    package mutating func raw(_ name: StaticString, _ value: String?, _ bytes: inout [UInt8]) {
        guard let value else { return }
        self.name(name, &bytes)
        bytes.appendRaw(value)
    }

    /// A number member; nothing when `value` is `nil`.
    package mutating func number(_ name: StaticString, _ value: Double?, _ bytes: inout [UInt8]) {
        guard let value else { return }
        self.name(name, &bytes)
        bytes.appendJSONNumber(value)
    }

    /// A member whose value `write` appends.
    package mutating func value(_ name: StaticString, _ bytes: inout [UInt8], _ write: (inout [UInt8]) -> Void) {
        self.name(name, &bytes)
        write(&bytes)
    }

    /// Ends the object: appends `}`.
    package func close(_ bytes: inout [UInt8]) {
        bytes.appendRaw("}")
    }
}

extension JSONParser {
    /// Whether `bytes` hold one complete JSON text, checked without building it.
    package static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var scanner = JSONScanner(bytes)
        do {
            try scanner.skipValue()
            try scanner.expectEnd()
            return true
        } catch {
            return false
        }
    }
}

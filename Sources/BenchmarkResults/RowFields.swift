import JSONLines
import ToolContract

/// Typed access to the members of one JSON row, with errors that name the file, line and field.
struct RowFields {
    let members: [String: JSONValue]
    let file: String
    let line: Int
    let prefix: String

    init(_ value: JSONValue, file: String, line: Int, prefix: String = "") throws(BenchmarkInputError) {
        guard let members = value.objectValue else {
            throw .malformed(
                file: file, line: line, field: prefix, reason: "expected an object, found \(value.typeDescription)")
        }
        self.members = members
        self.file = file
        self.line = line
        self.prefix = prefix
    }

    func path(_ name: String) -> String {
        prefix.isEmpty ? name : "\(prefix).\(name)"
    }

    func fail(_ name: String, _ reason: String) -> BenchmarkInputError {
        .malformed(file: file, line: line, field: path(name), reason: reason)
    }

    func present(_ name: String) -> JSONValue? {
        guard let value = members[name] else { return nil }
        if case .null = value { return nil }
        return value
    }

    /// A task id: a non-empty string, or an integer written as a number.
    func identifier(_ name: String) throws(BenchmarkInputError) -> String {
        switch present(name) {
        case .string(let text) where !text.isEmpty: return text
        case .number(let number) where number.rounded() == number && abs(number) < 1e15: return String(Int(number))
        case nil: throw fail(name, "required field is missing")
        case let value?: throw fail(name, "expected a non-empty string or an integer, found \(value.typeDescription)")
        }
    }

    func string(_ name: String) throws(BenchmarkInputError) -> String? {
        guard let value = present(name) else { return nil }
        guard let text = value.stringValue else {
            throw fail(name, "expected a string, found \(value.typeDescription)")
        }
        return text
    }

    func bool(_ name: String) throws(BenchmarkInputError) -> Bool? {
        guard let value = present(name) else { return nil }
        guard case .bool(let flag) = value else {
            throw fail(name, "expected true or false, found \(value.typeDescription)")
        }
        return flag
    }

    func number(_ name: String, in range: ClosedRange<Double>) throws(BenchmarkInputError) -> Double? {
        guard let value = present(name) else { return nil }
        guard let number = value.numberValue else {
            throw fail(name, "expected a number, found \(value.typeDescription)")
        }
        guard number.isFinite, range.contains(number) else {
            throw fail(name, "\(number) is out of range (\(InputLimits.describe(range)))")
        }
        return number
    }

    func integer(_ name: String, minimum: Int = 0) throws(BenchmarkInputError) -> Int? {
        guard let number = try number(name, in: Double(minimum)...InputLimits.count.upperBound) else { return nil }
        guard number.rounded() == number else { throw fail(name, "expected an integer, found \(number)") }
        return Int(number)
    }
}

/// The field a JSON syntax error falls in: the member whose value holds the error column, or "" when the
/// error is in a member name or between members.
func fieldNear(column: Int, in line: UnsafeBufferPointer<UInt8>) -> String {
    var index = min(column - 1, line.count) - 1
    while index >= 0, line[index] == 0x20 || line[index] == 0x09 { index -= 1 }
    guard index >= 0 else { return "" }
    if [UInt8(ascii: ","), UInt8(ascii: "{"), UInt8(ascii: "[")].contains(line[index]) { return "" }
    while index > 0 {
        if line[index] == UInt8(ascii: ":") {
            var end = index - 1
            while end > 0, line[end] == 0x20 { end -= 1 }
            if line[end] == UInt8(ascii: "\"") {
                var start = end - 1
                while start >= 0, line[start] != UInt8(ascii: "\"") { start -= 1 }
                if start >= 0 {
                    return String(decoding: UnsafeBufferPointer(rebasing: line[(start + 1)..<end]), as: UTF8.self)
                }
            }
        }
        index -= 1
    }
    return ""
}

/// A parsed JSON value.
///
/// Objects keep their keys in a dictionary: the inputs AgentCanary reads never rely on key order, and a
/// duplicate key keeps its last value, as most JSON readers do.
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The JSON type name used in error messages ("a string", "a number", …).
    package var typeDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The members of an object, or `nil` for any other value.
    package var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The elements of an array, or `nil` for any other value.
    package var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The string, or `nil` for any other value.
    package var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The number, or `nil` for any other value.
    package var numberValue: Double? {
        if case .number(let number) = self { return number }
        return nil
    }

    /// The member named `key` of an object, or `nil`.
    package subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }
}

/// `text` as a JSON string literal, quotes included: `"`, `\\` and control characters escaped, everything
/// else (non-ASCII included) as it is.
package func jsonStringLiteral(_ text: String) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count + 2)
    bytes.appendJSONString(text)
    return String(decoding: bytes, as: UTF8.self)
}

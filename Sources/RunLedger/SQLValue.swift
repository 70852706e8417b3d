import Foundation

/// A value bound to a ledger statement or read from a row, the same on both stores.
///
/// Booleans are integers (0 and 1) in both, so a query reads the same on SQLite and PostgreSQL
/// (`sampled = 1`, `agrees = 0`); PostgreSQL's own booleans (`a = b` in a select list) read as integers too.
package enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// A Swift value that can be bound to a statement.
package protocol SQLBindable {
    /// The value as bound.
    var sqlValue: SQLValue { get }
}

/// A Swift value that can be read from a column.
package protocol SQLDecodable {
    /// Reads the value, or `nil` when the stored value has another type (or is NULL for a non-optional).
    static func decode(_ value: SQLValue) -> Self?
}

extension String: SQLBindable, SQLDecodable {
    package var sqlValue: SQLValue { .text(self) }
    package static func decode(_ value: SQLValue) -> String? {
        switch value {
        case .text(let text): text
        case .blob(let data): String(data: data, encoding: .utf8)
        default: nil
        }
    }
}

extension Int64: SQLBindable, SQLDecodable {
    package var sqlValue: SQLValue { .integer(self) }
    package static func decode(_ value: SQLValue) -> Int64? {
        switch value {
        case .integer(let integer): integer
        case .real(let real) where real.rounded() == real && abs(real) < 9.2e18: Int64(real)
        default: nil
        }
    }
}

extension Int: SQLBindable, SQLDecodable {
    package var sqlValue: SQLValue { .integer(Int64(self)) }
    package static func decode(_ value: SQLValue) -> Int? { Int64.decode(value).map(Int.init) }
}

extension Double: SQLBindable, SQLDecodable {
    package var sqlValue: SQLValue { .real(self) }
    package static func decode(_ value: SQLValue) -> Double? {
        switch value {
        case .real(let real): real
        case .integer(let integer): Double(integer)
        default: nil
        }
    }
}

extension Bool: SQLBindable, SQLDecodable {
    package var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    package static func decode(_ value: SQLValue) -> Bool? { Int64.decode(value).map { $0 != 0 } }
}

extension Data: SQLBindable, SQLDecodable {
    package var sqlValue: SQLValue { .blob(self) }
    package static func decode(_ value: SQLValue) -> Data? {
        switch value {
        case .blob(let data): data
        case .text(let text): Data(text.utf8)
        default: nil
        }
    }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    package static func decode(_ value: SQLValue) -> Wrapped?? {
        if case .null = value { return .some(nil) }
        return Wrapped.decode(value).map { .some($0) }
    }
}

extension Array where Element == (any SQLBindable)? {
    /// The values as bound (`nil` is NULL).
    var sqlValues: [SQLValue] { map { $0?.sqlValue ?? .null } }
}

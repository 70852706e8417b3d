/// One row a ledger query returned, its values in the order of the query's select list.
package struct SQLRow: Sendable {
    let values: [SQLValue]

    /// The value of `column` (a case of the record's column list, the query's select list in order).
    package subscript<Value: SQLDecodable, Column: LedgerColumns>(_ column: Column) -> Value {
        get throws(LedgerError) { try value(at: column.rawValue, named: column.name) }
    }

    /// The value of the only column of a one-column query (a count, a maximum, a name).
    package func scalar<Value: SQLDecodable>() throws(LedgerError) -> Value {
        try value(at: 0, named: "the first column")
    }

    func value<Value: SQLDecodable>(at index: Int, named name: @autoclosure () -> String) throws(LedgerError)
        -> Value
    {
        guard index < values.count else {
            throw .database(reason: "the query returned \(values.count) columns, without \(name())")
        }
        guard let value = Value.decode(values[index]) else {
            throw .database(reason: "column \(name()) holds \(values[index]), not a \(Value.self)")
        }
        return value
    }
}

/// The columns a record reads, in the order a query selects them: each case is a column whose name is the
/// case's in snake case (`eventKey` is `event_key`), and its raw value is its place in the select list, so a
/// row is read by position (a name looked up per value cost a tenth of an export) without a bare index.
package protocol LedgerColumns: CaseIterable, RawRepresentable<Int> {}

extension LedgerColumns {
    /// The column's name in the ledger's tables.
    package var name: String {
        var name = ""
        for character in String(describing: self) {
            if character.isUppercase {
                name += "_" + character.lowercased()
            } else {
                name.append(character)
            }
        }
        return name
    }

    /// The select list: every column in order, quoted, each prefixed by `alias.` when one is given.
    package static func selectList(alias: String? = nil) -> String {
        allCases.map { column in (alias.map { "\($0)." } ?? "") + "\"\(column.name)\"" }.joined(separator: ", ")
    }
}

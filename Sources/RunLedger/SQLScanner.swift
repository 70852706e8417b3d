import Foundation

/// Where a character of an SQL text stands.
enum SQLLexeme: Equatable {
    /// Outside quotes and comments: where placeholders and statement separators count.
    case code
    /// Inside a `'literal'` or a `"quoted identifier"`, the quotes included.
    case quoted
    /// Inside a `--` comment, the dashes included; the newline that ends it is code.
    case comment
}

/// The one reading of the ledger's SQL text that the PostgreSQL store needs: which characters are code, so that
/// `?` placeholders are numbered and scripts split only there.
enum SQLScanner {
    /// Calls `body` with each character of `sql` in order and where it stands.
    static func scan(_ sql: String, _ body: (Character, SQLLexeme) -> Void) {
        var characters = sql.makeIterator()
        var quote: Character?
        var comment = false
        var next = characters.next()
        while let character = next {
            next = characters.next()
            if comment {
                comment = character != "\n"
                body(character, comment ? .comment : .code)
            } else if let open = quote {
                if character == open { quote = nil }
                body(character, .quoted)
            } else if character == "'" || character == "\"" {
                quote = character
                body(character, .quoted)
            } else if character == "-", next == "-" {
                comment = true
                body(character, .comment)
            } else {
                body(character, .code)
            }
        }
    }

    /// `sql` with its `?` placeholders numbered as PostgreSQL's `$1`, `$2`, …; quotes and comments kept as
    /// they are.
    static func numberingPlaceholders(_ sql: String) -> String {
        var result = ""
        result.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        scan(sql) { character, lexeme in
            if lexeme == .code, character == "?" {
                number += 1
                result += "$\(number)"
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// The statements of a script: split at each `;` in code, comments dropped, blank statements left out.
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        scan(sql) { character, lexeme in
            switch lexeme {
            case .comment: break
            case .code where character == ";":
                statements.append(current)
                current = ""
            default: current.append(character)
            }
        }
        statements.append(current)
        return statements.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}

import Foundation

/// A `postgresql://` (or `postgres://`) URL split into its parts once: the one parser both the connection and
/// every message use, so that what is masked is exactly what is the password.
///
/// The user information ends at the URL's last `@`: a generated password holding `/`, `?`, `#`, `@` or a space
/// unencoded stays whole inside it (and masked) rather than being cut into host, path or query pieces. A
/// query's `@` must therefore be written `%40`. Parameter names are percent-decoded before they are matched,
/// so `pass%77ord=` is the password.
struct PostgresURL: Sendable {
    /// Why a URL could not be split; never quotes it.
    enum Failure: Error, Equatable {
        case notPostgres
        case badEncoding(part: String)
        case notKeyValue(parameter: Int)

        var reason: String {
            switch self {
            case .notPostgres: "a PostgreSQL ledger is named by a postgresql:// or postgres:// URL"
            case .badEncoding(let part): "the URL's \(part) is not valid percent-encoding"
            case .notKeyValue(let parameter): "parameter \(parameter) of the URL's query is not key=value"
            }
        }
    }

    /// `postgresql` or `postgres`.
    var scheme: String
    /// The user and password of the user information, decoded; `nil` when absent.
    var user: String?
    var password: String?
    /// `host[:port]` (or `[v6]:port`), as written.
    var hostPort: String
    /// The path after `/` (the database), decoded.
    var database: String
    /// The query's parameters in order, names and values decoded.
    var parameters: [(name: String, value: String)]

    /// Splits `text`.
    init(_ text: String) throws(Failure) {
        guard let separator = text.range(of: "://") else { throw .notPostgres }
        scheme = String(text[..<separator.lowerBound])
        guard scheme == "postgresql" || scheme == "postgres" else { throw .notPostgres }
        var rest = Substring(text[separator.upperBound...])
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let colon = userInfo.firstIndex(of: ":")
            guard let user = Self.decode(userInfo[..<(colon ?? userInfo.endIndex)]) else {
                throw .badEncoding(part: "user name")
            }
            self.user = user
            if let colon {
                guard let password = Self.decode(userInfo[userInfo.index(after: colon)...]) else {
                    throw .badEncoding(part: "password")
                }
                self.password = password
            }
        }
        var query: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        hostPort = String(rest)
        guard let database = Self.decode(path) else { throw .badEncoding(part: "database name") }
        self.database = database
        parameters = []
        for (index, pair) in query.split(separator: "&").enumerated() {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw .notKeyValue(parameter: index + 1) }
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts[1]) else {
                throw .badEncoding(part: "parameter \(index + 1)")
            }
            parameters.append((name, value))
        }
    }

    /// The URL with its password masked wherever it is given (the user information or a `password` parameter),
    /// the rest as written.
    var masked: String {
        var text = scheme + "://"
        if let user {
            text += Self.encode(user) + (password == nil ? "" : ":***") + "@"
        }
        text += hostPort
        if !database.isEmpty { text += "/" + Self.encode(database) }
        if !parameters.isEmpty {
            text +=
                "?"
                + parameters.map { name, value in
                    Self.encode(name) + "=" + (name == "password" ? "***" : Self.encode(value))
                }.joined(separator: "&")
        }
        return text
    }

    /// What a message prints of a URL that cannot be split: its scheme only.
    static func unparsed(_ text: String) -> String {
        guard let separator = text.range(of: "://") else { return "…" }
        return String(text[..<separator.lowerBound]).prefix(16) + "://…"
    }

    /// Percent-decodes a part of the URL; `nil` for a malformed escape.
    static func decode(_ text: Substring) -> String? {
        text.contains("%") ? String(text).removingPercentEncoding : String(text)
    }

    /// Percent-encodes what a URL part cannot hold as it is (for printing a decoded part back).
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.urlUserAllowed
        allowed.remove(charactersIn: ":@/?&=#% ")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

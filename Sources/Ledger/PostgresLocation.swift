import Foundation

/// A PostgreSQL ledger named by a libpq connection URI: `postgresql://[user[:password]@][host][:port][/dbname]
/// [?param=value&…]` (also `postgres://`), with libpq's defaults and environment variables.
///
/// Parameters: `host` (a directory is a Unix socket's), `port`, `user`, `dbname`, `password`, `sslmode`
/// (`disable`, `allow`, `prefer`, `require`, `verify-ca`, `verify-full`), `sslrootcert`, `application_name`
/// and `connect_timeout`. The password comes from the URI, else `PGPASSWORD`, else the password file
/// (`PGPASSFILE`, else `~/.pgpass`). The description masks the password: it is what every message prints.
package struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// How the connection is encrypted.
    package enum TLSMode: String, Sendable, Equatable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// The server's host name or address, or the directory of its Unix socket.
    package var host: String
    package var port: Int
    package var user: String
    package var database: String
    package var password: String?
    package var tls: TLSMode
    /// A file of PEM certificates that sign the server's (for `verify-ca` and `verify-full`).
    package var rootCertificate: String?
    package var applicationName: String
    package var connectTimeout: Int

    /// Whether `host` is the directory of a Unix socket.
    package var isUnixSocket: Bool { host.hasPrefix("/") }

    /// `host:port`, or the socket's path: what a message names when the server cannot be reached.
    package var endpoint: String {
        isUnixSocket ? "\(host)/.s.PGSQL.\(port)" : (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// The URI with the password masked.
    package var description: String {
        let credentials = user + (password == nil ? "" : ":***")
        let hostPart = isUnixSocket ? "" : (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        var query = isUnixSocket ? ["host=\(host)", "port=\(port)"] : []
        if tls != .prefer { query.append("sslmode=\(tls.rawValue)") }
        return "postgresql://\(credentials)@\(hostPart)/\(database)"
            + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    /// Whether `location` names a PostgreSQL ledger (rather than a SQLite file).
    package static func isURL(_ location: String) -> Bool {
        location.hasPrefix("postgresql://") || location.hasPrefix("postgres://")
    }

    /// Parses a connection URI, filling in what it leaves out from `environment` (`PGHOST`, `PGPORT`, `PGUSER`,
    /// `PGDATABASE`, `PGPASSWORD`, `PGPASSFILE`, `PGSSLMODE`, `PGSSLROOTCERT`, `PGAPPNAME`) and libpq's defaults.
    package init(url: String, environment: [String: String]) throws(LedgerError) {
        guard let schemeEnd = url.range(of: "://"), Self.isURL(url) else {
            throw .invalidLocation(reason: "a PostgreSQL ledger is named by a postgresql:// or postgres:// URL")
        }
        var rest = Substring(url[schemeEnd.upperBound...])
        var parameters: [String: String] = [:]
        if let question = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: question)...].split(separator: "&") where !pair.isEmpty {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, let key = Self.decode(parts[0]), let value = Self.decode(parts[1]) else {
                    throw .invalidLocation(reason: "the URL's parameter '\(Self.masked(pair))' is not key=value")
                }
                guard Self.parameterNames.contains(key) else {
                    throw .invalidLocation(
                        reason:
                            "unknown URL parameter '\(key)' (known: \(Self.parameterNames.sorted().joined(separator: ", ")))"
                    )
                }
                parameters[key] = value
            }
            rest = rest[..<question]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let user = Self.decode(parts[0]) else {
                throw .invalidLocation(reason: "the URL's user name is not valid")
            }
            if !user.isEmpty { parameters["user"] = parameters["user"] ?? user }
            if parts.count == 2 {
                guard let password = Self.decode(parts[1]) else {
                    throw .invalidLocation(reason: "the URL's password is not valid percent-encoding")
                }
                parameters["password"] = parameters["password"] ?? password
            }
        }
        guard !rest.contains(",") else {
            throw .invalidLocation(reason: "a URL with several hosts is not supported; name one")
        }
        var hostText = rest
        var portText: Substring?
        if hostText.hasPrefix("["), let close = hostText.firstIndex(of: "]") {
            let after = hostText[hostText.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
            hostText = hostText[hostText.index(after: hostText.startIndex)..<close]
        } else if let colon = hostText.lastIndex(of: ":") {
            portText = hostText[hostText.index(after: colon)...]
            hostText = hostText[..<colon]
        }
        if let host = Self.decode(hostText), !host.isEmpty { parameters["host"] = parameters["host"] ?? host }
        if let portText, !portText.isEmpty { parameters["port"] = parameters["port"] ?? String(portText) }
        if let database = Self.decode(path), !database.isEmpty {
            parameters["dbname"] = parameters["dbname"] ?? database
        }

        func setting(_ key: String, _ variable: String) -> String? {
            parameters[key].flatMap { $0.isEmpty ? nil : $0 } ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        }
        host = setting("host", "PGHOST") ?? "/var/run/postgresql"
        let portValue = setting("port", "PGPORT") ?? "5432"
        guard let port = Int(portValue), (1...65_535).contains(port) else {
            throw .invalidLocation(reason: "port '\(portValue)' is not a number from 1 to 65535")
        }
        self.port = port
        user = setting("user", "PGUSER") ?? ProcessInfo.processInfo.userName
        database = setting("dbname", "PGDATABASE") ?? user
        let modeValue = setting("sslmode", "PGSSLMODE") ?? "prefer"
        guard let mode = TLSMode(rawValue: modeValue) else {
            throw .invalidLocation(
                reason: "sslmode '\(modeValue)' is not one of disable, allow, prefer, require, verify-ca, verify-full")
        }
        tls = mode
        rootCertificate = setting("sslrootcert", "PGSSLROOTCERT")
        applicationName = setting("application_name", "PGAPPNAME") ?? "agent-canary"
        let timeoutValue = setting("connect_timeout", "PGCONNECT_TIMEOUT") ?? "10"
        guard let timeout = Int(timeoutValue), timeout >= 0 else {
            throw .invalidLocation(reason: "connect_timeout '\(timeoutValue)' is not a number of seconds")
        }
        connectTimeout = timeout == 0 ? 10 : max(timeout, 2)
        password = parameters["password"] ?? environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        if password == nil {
            let file =
                environment["PGPASSFILE"].flatMap { $0.isEmpty ? nil : $0 }
                ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.pgpass"
            password = PostgresPassFile.password(
                file: file, host: isUnixSocket ? "localhost" : host, port: port, database: database, user: user)
        }
    }

    static let parameterNames: Set<String> = [
        "host", "port", "user", "dbname", "password", "sslmode", "sslrootcert", "application_name", "connect_timeout",
    ]

    /// Percent-decodes a part of the URL.
    static func decode(_ text: Substring) -> String? {
        text.contains("%") ? String(text).removingPercentEncoding : String(text)
    }

    /// `text` with a password masked, for messages about a malformed URL.
    static func masked(_ text: Substring) -> String {
        text.hasPrefix("password=") ? "password=***" : String(text)
    }

    /// `argument` with the password of every PostgreSQL URL in it masked: how a command line is recorded
    /// (`stages.arguments`) and printed.
    package static func maskingPasswords(in argument: String) -> String {
        guard argument.contains("postgres") else { return argument }
        var result = argument
        let rules = [
            (#"(postgres(?:ql)?://[^:/@?\s]*:)[^/?\s]*@"#, "$1***@"), (#"([?&]password=)[^&\s]*"#, "$1***"),
        ]
        for (pattern, template) in rules {
            // The patterns are constants, checked by the tests.
            guard let expression = try? NSRegularExpression(pattern: pattern) else { continue }
            result = expression.stringByReplacingMatches(
                in: result, range: NSRange(result.startIndex..., in: result), withTemplate: template)
        }
        return result
    }
}

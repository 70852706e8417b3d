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
        let parts: PostgresURL
        do {
            parts = try PostgresURL(url)
        } catch {
            throw .invalidLocation(reason: error.reason)
        }
        var parameters: [String: String] = [:]
        for (index, parameter) in parts.parameters.enumerated() {
            // The name is not echoed: with an unencoded `&` in a password, a piece of it reads as a name.
            guard Self.parameterNames.contains(parameter.name) else {
                throw .invalidLocation(
                    reason:
                        "parameter \(index + 1) of the URL's query is not one of "
                        + Self.parameterNames.sorted().joined(separator: ", "))
            }
            parameters[parameter.name] = parameter.value
        }
        if let user = parts.user, !user.isEmpty { parameters["user"] = parameters["user"] ?? user }
        if let password = parts.password { parameters["password"] = parameters["password"] ?? password }
        guard !parts.hostPort.contains(",") else {
            throw .invalidLocation(reason: "a URL with several hosts is not supported; name one")
        }
        var hostText = Substring(parts.hostPort)
        var portText: Substring?
        if hostText.hasPrefix("["), let close = hostText.firstIndex(of: "]") {
            let after = hostText[hostText.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
            hostText = hostText[hostText.index(after: hostText.startIndex)..<close]
        } else if let colon = hostText.lastIndex(of: ":") {
            portText = hostText[hostText.index(after: colon)...]
            hostText = hostText[..<colon]
        }
        if let host = PostgresURL.decode(hostText), !host.isEmpty { parameters["host"] = parameters["host"] ?? host }
        if let portText, !portText.isEmpty { parameters["port"] = parameters["port"] ?? String(portText) }
        if !parts.database.isEmpty { parameters["dbname"] = parameters["dbname"] ?? parts.database }

        func setting(_ key: String, _ variable: String) -> String? {
            parameters[key].flatMap { $0.isEmpty ? nil : $0 } ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        }
        host = setting("host", "PGHOST") ?? "/var/run/postgresql"
        let portValue = setting("port", "PGPORT") ?? "5432"
        guard let port = Int(portValue), (1...65_535).contains(port) else {
            throw .invalidLocation(reason: "the port is not a number from 1 to 65535")
        }
        self.port = port
        user = setting("user", "PGUSER") ?? ProcessInfo.processInfo.userName
        database = setting("dbname", "PGDATABASE") ?? user
        let modeValue = setting("sslmode", "PGSSLMODE") ?? "prefer"
        guard let mode = TLSMode(rawValue: modeValue) else {
            throw .invalidLocation(
                reason: "sslmode is not one of disable, allow, prefer, require, verify-ca, verify-full")
        }
        tls = mode
        rootCertificate = setting("sslrootcert", "PGSSLROOTCERT")
        applicationName = setting("application_name", "PGAPPNAME") ?? "agent-canary"
        let timeoutValue = setting("connect_timeout", "PGCONNECT_TIMEOUT") ?? "10"
        guard let timeout = Int(timeoutValue), timeout >= 0 else {
            throw .invalidLocation(reason: "connect_timeout is not a number of seconds")
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

    /// `argument` with the password of every PostgreSQL URL in it masked: how a command line is recorded
    /// (`stages.arguments`) and printed.
    package static func maskingPasswords(in argument: String) -> String {
        // The URL runs from its scheme to the end of the argument (`--ledger=postgresql://…`).
        guard let scheme = argument.range(of: "postgresql://") ?? argument.range(of: "postgres://") else {
            return argument
        }
        let prefix = argument[..<scheme.lowerBound]
        let url = String(argument[scheme.lowerBound...])
        guard let parts = try? PostgresURL(url) else { return prefix + PostgresURL.unparsed(url) }
        return prefix + parts.masked
    }
}

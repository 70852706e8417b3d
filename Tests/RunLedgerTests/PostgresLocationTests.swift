import Foundation
import RunLedger
import TestSupport
import Testing

/// libpq's connection URIs as the ledger reads them (PostgreSQL 15 documentation, section 34.1.1, "Connection
/// Strings", and 34.16, "The Password File").
@Suite("PostgreSQL ledger URLs")
struct PostgresLocationTests {
    @Test("host, port, database, user, password and parameters; libpq's defaults and variables fill the rest")
    func parsing() throws {
        let full = try PostgresLocation(
            url: "postgresql://can%40ary:s3cr%2Ft@db.internal:6543/ledger?sslmode=verify-full&application_name=ci",
            environment: [:])
        #expect(full.host == "db.internal" && full.port == 6543 && full.database == "ledger")
        #expect(full.user == "can@ary" && full.password == "s3cr/t")
        #expect(full.tls == .verifyFull && full.applicationName == "ci")
        #expect(full.description == "postgresql://can@ary:***@db.internal:6543/ledger?sslmode=verify-full")

        let defaults = try PostgresLocation(
            url: "postgres://", environment: ["PGUSER": "ci", "PGPASSWORD": "pw", "PGHOST": "10.0.0.5"])
        #expect(defaults.host == "10.0.0.5" && defaults.port == 5432 && defaults.user == "ci")
        #expect(defaults.database == "ci" && defaults.password == "pw" && defaults.tls == .prefer)

        let socket = try PostgresLocation(
            url: "postgresql:///ledger?host=/run/postgresql", environment: ["PGUSER": "u"])
        #expect(socket.isUnixSocket && socket.endpoint == "/run/postgresql/.s.PGSQL.5432")

        let ipv6 = try PostgresLocation(url: "postgresql://u@[::1]:5433/d", environment: [:])
        #expect(ipv6.host == "::1" && ipv6.port == 5433 && ipv6.endpoint == "[::1]:5433")
    }

    @Test("bad URLs are refused with the reason, never a piece of what follows the scheme")
    func refused() {
        for (url, reason) in [
            ("postgresql://u:pw@h:99999/d", "the port is not a number"),
            ("postgresql://u:pw@h/d?sslmode=maybe", "sslmode is not one of"),
            ("postgresql://u:pw@h/d?colour=red", "parameter 1 of the URL's query is not one of"),
            ("postgresql://u:pw@h1,h2/d", "several hosts"),
            ("postgresql://u@h/d?password=pw&x", "parameter 2 of the URL's query is not key=value"),
            // An unencoded `&` in a password parameter: its second half reads as a parameter, and is not echoed.
            ("postgresql://u@h/d?password=pw&hunter2=cd", "parameter 2 of the URL's query is not one of"),
            ("postgresql://u:pw%zz@h/d", "the URL's password is not valid percent-encoding"),
        ] {
            #expect {
                _ = try PostgresLocation(url: url, environment: [:])
            } throws: { error in
                let text = String(describing: error)
                return text.contains(reason) && !text.contains("pw") && !text.contains("hunter2")
                    && !text.contains("maybe") && !text.contains("colour") && !text.contains("99999")
            }
        }
    }

    @Test("a password in an argument is masked, wherever the URL sits in it, by the parser that reads it")
    func masking() throws {
        #expect(
            PostgresLocation.maskingPasswords(in: "--ledger=postgresql://canary:p@ss:w0rd@db:5432/canary")
                == "--ledger=postgresql://canary:***@db:5432/canary")
        #expect(
            PostgresLocation.maskingPasswords(in: "postgres://db/canary?user=u&password=hunter2&sslmode=require")
                == "postgres://db/canary?user=u&password=***&sslmode=require")
        #expect(PostgresLocation.maskingPasswords(in: "ledger.sqlite") == "ledger.sqlite")
        #expect(Ledger.displayName("postgresql://u:x@h/d") == "postgresql://u:***@h/d")
        // A generated password with `/`, `?`, `#` and a space, unencoded: read whole, masked whole.
        let generated = "postgresql://canary:a/b?c#d e@db:5432/ledger"
        let location = try PostgresLocation(url: generated, environment: [:])
        #expect(location.password == "a/b?c#d e" && location.host == "db" && location.database == "ledger")
        #expect(PostgresLocation.maskingPasswords(in: generated) == "postgresql://canary:***@db:5432/ledger")
        #expect(location.description == "postgresql://canary:***@db:5432/ledger")
        // A percent-encoded parameter name is the name it decodes to.
        let encoded = "postgres://db/ledger?pass%77ord=hunter2"
        #expect(try PostgresLocation(url: encoded, environment: [:]).password == "hunter2")
        #expect(PostgresLocation.maskingPasswords(in: encoded) == "postgres://db/ledger?password=***")
        // A URL the parser cannot read: nothing after the scheme.
        #expect(PostgresLocation.maskingPasswords(in: "--ledger=postgresql://u:pw%zz@h/d") == "--ledger=postgresql://…")
    }

    @Test("the password file: the first matching line, wildcards and escapes; ignored when others can read it")
    func passwordFile() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write(
            "pgpass",
            """
            # comment
            other:5432:*:canary:wrong
            db.internal:5432:ledger:canary:first\\:colon
            *:*:*:canary:fallback

            """)
        chmod(file, 0o600)
        func password(_ url: String) throws -> String? {
            try PostgresLocation(url: url, environment: ["PGPASSFILE": file]).password
        }
        #expect(try password("postgresql://canary@db.internal/ledger") == "first:colon")
        #expect(try password("postgresql://canary@elsewhere:7000/x") == "fallback")
        #expect(try password("postgresql://someone@db.internal/ledger") == nil)
        #expect(try password("postgresql://canary:given@db.internal/ledger") == "given")
        chmod(file, 0o644)
        #expect(try password("postgresql://canary@db.internal/ledger") == nil)
    }
}

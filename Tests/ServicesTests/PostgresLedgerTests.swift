import Foundation
import RunLedger
import TestSupport
import Testing

/// The tools on a shared PostgreSQL ledger, through the built binaries, against a real server started on
/// 127.0.0.1 (``PostgresServer``): the same results as on SQLite, concurrent runners, kills, a restarted
/// server, and a password that appears nowhere.
@Suite("PostgreSQL ledger end to end", .tags(.services), .requires(.postgresql, .openssl))
struct PostgresLedgerTests {
    static let fixtures = Repository.path("Tests/Fixtures/native/pass")
    static let policy = "agent: {name: support-agent}\nrollout:\n  steps: [{weight: 20}, {weight: 50}]\n"
    static let environment = ["SOURCE_DATE_EPOCH": "1795651200"]

    /// Runs a tool in `directory` with the ledger `ledger`, under GitHub Actions' variables (so its CI outputs
    /// are written too).
    static func tool(_ name: String, _ arguments: [String], ledger: String, in directory: TemporaryDirectory)
        throws -> ToolResult
    {
        let ci = [
            "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": directory.path("github-output"),
            "GITHUB_STEP_SUMMARY": directory.path("github-summary.md"),
        ]
        return try Tool.run(
            name, arguments + ["--ledger", ledger], environment: environment.merging(ci) { $1 }, in: directory.url)
    }

    /// The whole loop on `ledger`: gate, canary start, two looks that act, two incremental exports, and the
    /// read-only commands. Returns what each step printed and wrote, by name.
    static func loop(ledger: String, in directory: TemporaryDirectory) throws -> [String: String] {
        var results: [String: String] = [:]
        func step(_ name: String, _ tool: String, _ arguments: [String], status: Int32 = 0) throws {
            let result = try Self.tool(tool, arguments, ledger: ledger, in: directory)
            #expect(result.status == status, "\(name): \(result.stderr)")
            results[name] = result.stdout
        }
        try directory.write("canary.yaml", Self.policy)
        try step(
            "gate", "benchmark-gate",
            [
                "--candidate", "\(Self.fixtures)/candidate.jsonl", "--baseline", "\(Self.fixtures)/baseline.jsonl",
                "--agent", "support-agent", "--run-id", "run-1", "--output", "gate.json", "--summary", "gate.md",
                "--junit", "gate.xml", "--dotenv", "gate.env",
            ])
        try step(
            "start", "canary-deploy",
            ["start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "nginx", "--out-dir", "out"])
        for look in 1...2 {
            let simulated = try Tool.run(
                "agent-sim",
                [
                    "telemetry", "--scenario", "good", "--weight", "20", "--conversations", "1500", "--seed",
                    "\(look)", "--id-prefix", "look\(look)", "--append", "--out", "events.jsonl",
                ], in: directory.url)
            #expect(simulated.status == 0, "\(simulated.stderr)")
            try step(
                "look-\(look)", "monitor",
                [
                    "analyze", "--run", "run-1", "--policy", "canary.yaml", "--events", "events.jsonl", "--act",
                    "--out-dir", "out", "--output", "analysis-\(look).json", "--summary", "look-\(look).md",
                ])
        }
        for export in 1...2 {
            try step(
                "export-\(export)", "feedback-export",
                [
                    "--run", "run-1", "--kind", "all", "--format", "native", "--since-last", "--out-dir",
                    "dataset-\(export)",
                ])
        }
        // The next release, gated against what the ledger kept of this one.
        try step(
            "gate-2", "benchmark-gate",
            [
                "--candidate", "\(Self.fixtures)/candidate.jsonl", "--baseline-from-ledger", "--agent", "support-agent",
                "--candidate-version", "1.6.0", "--run-id", "run-2", "--output", "gate-2.json",
            ])
        try step("history", "benchmark-gate", ["history", "--agent", "support-agent", "--json"])
        try step("status", "canary-deploy", ["status", "--run", "run-1"])
        try step("rejudge", "monitor", ["rejudge", "--look", "2"])
        try step("check", "monitor", ["ledger", "check"])
        for (name, data) in try directory.snapshot() where !name.hasPrefix("ledger") {
            // GitHub's multi-line outputs are fenced by a random delimiter.
            results[name] = String(decoding: data, as: UTF8.self).replacingOccurrences(
                of: #"ghadelimiter_[0-9A-F-]+"#, with: "ghadelimiter", options: .regularExpression)
        }
        return results
    }

    @Test("the whole loop gives the same outputs on PostgreSQL as on SQLite, and the password appears nowhere")
    func sameLoop() throws {
        let server = try PostgresServer.shared()
        let sqliteDirectory = try TemporaryDirectory()
        let sqlite = try Self.loop(ledger: "ledger.sqlite", in: sqliteDirectory)
        let postgresDirectory = try TemporaryDirectory()
        let url = try server.createDatabase()
        let postgres = try Self.loop(ledger: url, in: postgresDirectory)

        #expect(Set(postgres.keys) == Set(sqlite.keys))
        for name in sqlite.keys.sorted() where name != "check" {
            #expect(postgres[name] == sqlite[name], "\(name) differs between the stores")
        }
        #expect(sqlite["check"]?.hasPrefix("ok ledger.sqlite") == true)
        #expect(postgres["check"]?.hasPrefix("ok postgresql://canary:***@127.0.0.1:") == true)
        #expect(sqlite["look-2"]?.isEmpty == false && sqlite["status"]?.isEmpty == false)
        // Nothing the tools wrote or printed, and nothing in the ledger, holds the password.
        for (name, text) in postgres { #expect(!text.contains(PostgresServer.password), "\(name) holds the password") }
        let database = String(url.split(separator: "/").last?.split(separator: "?").first ?? "")
        let dump = try server.psql(
            database,
            "SELECT string_agg(arguments, ' ') FROM stages UNION ALL SELECT string_agg(path, ' ') FROM artifacts")
        #expect(dump.contains("--ledger"))
        #expect(!dump.contains(PostgresServer.password))
        // The views answer the same on both.
        let views = ["run_summary", "gate_history", "rollout_history", "monitor_history"]
        let sqliteLedger = try Ledger(path: sqliteDirectory.path("ledger.sqlite"))
        let postgresLedger = try Ledger(path: url)
        for view in views {
            #expect(try postgresLedger.count(table: view) == sqliteLedger.count(table: view), "\(view)")
        }
        #expect(try postgresLedger.integrityProblems().isEmpty)
    }

    @Test("eight runners from eight working directories on one new database lose nothing")
    func concurrentRunners() throws {
        let url = try PostgresServer.shared().createDatabase()
        let directories = try (0..<8).map { _ in try TemporaryDirectory() }
        for (index, directory) in directories.enumerated() {
            try directory.write(
                "canary.yaml", Self.policy.replacingOccurrences(of: "support-agent", with: "agent-\(index % 2)"))
        }
        func all(_ arguments: (Int) -> (String, [String])) throws -> [ToolResult] {
            let running = try directories.indices.map { index in
                let (tool, args) = arguments(index)
                return try Tool.start(
                    tool, args + ["--ledger", url], environment: Self.environment, in: directories[index].url)
            }
            for tool in running { tool.process.waitUntilExit() }
            return running.map { $0.finish() }
        }
        let gates = try all { index in
            (
                "benchmark-gate",
                [
                    "--candidate", "\(Self.fixtures)/candidate.jsonl", "--baseline", "\(Self.fixtures)/baseline.jsonl",
                    "--agent", "agent-\(index % 2)", "--candidate-version", "v\(index)", "--run-id", "run-\(index)",
                    "--output", "gate.json",
                ]
            )
        }
        for result in gates { #expect(result.status == 0, "\(result.stderr)") }
        let starts = try all { _ in
            (
                "canary-deploy",
                ["start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "nginx", "--out-dir", "out"]
            )
        }
        for result in starts { #expect(result.status == 0, "\(result.stderr)") }
        let ledger = try Ledger(path: url)
        // Each runner's gate recorded one artifact and its start the files it rendered.
        let perRunner = try 1 + ledger.latestOutputs(runId: "run-0", tool: "canary-deploy").count
        for (table, rows) in [
            ("runs", 8), ("gate_results", 8), ("stages", 16), ("rollouts", 8), ("rollout_transitions", 8),
            ("artifacts", 8 * perRunner),
        ] {
            #expect(try ledger.count(table: table) == rows, "\(table)")
        }
        #expect(try ledger.gateHistory(agent: "agent-1").count == 4)
        #expect(try ledger.appliedMigrations().count == 7)
        #expect(try ledger.integrityProblems().isEmpty)
    }

    @Test("SIGKILL inside a look's or a transition's transaction leaves nothing of it")
    func killedInsideTransactions() throws {
        let url = try PostgresServer.shared().createDatabase()
        let directory = try TemporaryDirectory()
        try directory.write("canary.yaml", Self.policy)
        for (tool, arguments) in [
            (
                "benchmark-gate",
                [
                    "--candidate", "\(Self.fixtures)/candidate.jsonl", "--baseline", "\(Self.fixtures)/baseline.jsonl",
                    "--agent", "support-agent", "--run-id", "run-1", "--output", "gate.json",
                ]
            ),
            (
                "canary-deploy",
                ["start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "nginx", "--out-dir", "out"]
            ),
            (
                "agent-sim",
                [
                    "telemetry", "--scenario", "good", "--weight", "20", "--conversations", "1500", "--out",
                    "events.jsonl",
                ]
            ),
        ] {
            let result = try Tool.run(
                tool, arguments + (tool == "agent-sim" ? [] : ["--ledger", url]), environment: Self.environment,
                in: directory.url)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let ledger = try Ledger(path: url)
        let tables = [
            "monitor_looks", "monitor_metrics", "telemetry_tasks", "stages", "artifacts", "rollout_transitions",
        ]
        func counts() throws -> [Int] { try tables.map { try ledger.count(table: $0) } }
        let before = try counts()
        let look = [
            "analyze", "--run", "run-1", "--policy", "canary.yaml", "--events", "events.jsonl", "--act", "--out-dir",
            "out", "--output", "analysis.json", "--ledger", url,
        ]
        let advance = ["advance", "--run", "run-1", "--force", "--reason", "test", "--out-dir", "out", "--ledger", url]
        for (tool, arguments) in [("monitor", look), ("canary-deploy", advance)] {
            let rollout = try Data(contentsOf: URL(fileURLWithPath: directory.path("out/rollout.json")))
            let running = try Tool.start(
                tool, arguments,
                environment: Self.environment.merging(["AGENT_CANARY_FAILPOINT": "ledger.before-commit"]) { $1 },
                in: directory.url)
            let deadline = Date().addingTimeInterval(60)
            while !running.stderrSoFar.contains("failpoint ledger.before-commit reached"), Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
            }
            kill(running.process.processIdentifier, SIGKILL)
            running.process.waitUntilExit()
            #expect(running.finish().status == 128 + SIGKILL)
            #expect(try counts() == before, "\(tool): the killed transaction left rows")
            #expect(try Data(contentsOf: URL(fileURLWithPath: directory.path("out/rollout.json"))) == rollout)
            #expect(try ledger.rollout(runId: "run-1")?.weight == 20)
        }
        #expect(try ledger.integrityProblems().isEmpty)
        // The same look again is recorded as usual.
        let again = try Tool.run("monitor", look, environment: Self.environment, in: directory.url)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try ledger.count(table: "monitor_looks") == before[0] + 1)
    }

    @Test("a server restarted between two looks: the next look works; while it is down, exit 69 and nothing written")
    func restartedServer() throws {
        let server = try PostgresServer.dedicated()
        defer { server.remove() }
        let url = try server.createDatabase()
        let directory = try TemporaryDirectory()
        let first = try Self.loopStart(url: url, in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        try server.stop()
        let look = [
            "analyze", "--run", "run-1", "--policy", "canary.yaml", "--events", "events.jsonl", "--output", "down.json",
            "--ledger", url,
        ]
        let down = try Tool.run("monitor", look, environment: Self.environment, in: directory.url)
        #expect(down.status == 69, "\(down.stderr)")
        #expect(down.stderr.contains("127.0.0.1:\(server.port)"))
        #expect(!down.stderr.contains(PostgresServer.password))
        #expect(!FileManager.default.fileExists(atPath: directory.path("down.json")))
        try server.start()
        let up = try Tool.run(
            "monitor", look.map { $0 == "down.json" ? "up.json" : $0 }, environment: Self.environment, in: directory.url
        )
        #expect(up.status == 0, "\(up.stderr)")
        #expect(try Ledger(path: url).count(table: "monitor_looks") == 2)
    }

    /// A gate, a started canary and one look on `url`; returns the look's result.
    static func loopStart(url: String, in directory: TemporaryDirectory) throws -> ToolResult {
        try directory.write("canary.yaml", Self.policy)
        _ = try Tool.run(
            "benchmark-gate",
            [
                "--candidate", "\(Self.fixtures)/candidate.jsonl", "--baseline", "\(Self.fixtures)/baseline.jsonl",
                "--agent", "support-agent", "--run-id", "run-1", "--output", "gate.json", "--ledger", url,
            ], environment: Self.environment, in: directory.url)
        _ = try Tool.run(
            "canary-deploy",
            [
                "start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "nginx", "--out-dir", "out",
                "--ledger", url,
            ],
            environment: Self.environment, in: directory.url)
        _ = try Tool.run(
            "agent-sim",
            ["telemetry", "--scenario", "good", "--weight", "20", "--conversations", "800", "--out", "events.jsonl"],
            in: directory.url)
        return try Tool.run(
            "monitor",
            [
                "analyze", "--run", "run-1", "--policy", "canary.yaml", "--events", "events.jsonl", "--output",
                "first.json", "--ledger", url,
            ],
            environment: Self.environment, in: directory.url)
    }

    @Test(
        "a server that cannot be reached, a refused login and an unknown scheme: their exit status, no file, no password"
    )
    func connectionFailures() throws {
        let server = try PostgresServer.shared()
        let directory = try TemporaryDirectory()
        let closed = try Services.freePort()
        let cases: [(url: String, status: Int32, message: String)] = [
            (
                "postgresql://canary:\(PostgresServer.password)@127.0.0.1:\(closed)/canary", 69,
                "127.0.0.1:\(closed) cannot be reached"
            ),
            (server.url(database: "postgres", password: "wrong-\(PostgresServer.password)"), 77, "refused the login"),
            ("mysql://canary:\(PostgresServer.password)@127.0.0.1/canary", 64, "is not a ledger"),
            (
                "postgresql://canary:\(PostgresServer.password)@127.0.0.1/canary?sslmode=sometimes", 64,
                "sslmode is not one of"
            ),
        ]
        for (url, status, message) in cases {
            for arguments in [["history", "--agent", "a"], ["ledger", "check"]] {
                let result = try Tool.run("benchmark-gate", arguments + ["--ledger", url], in: directory.url)
                #expect(result.status == status, "\(url): \(result.stderr)")
                #expect(result.stderr.contains(message), "\(result.stderr)")
                #expect(!(result.stderr + result.stdout).contains(PostgresServer.password))
            }
        }
        // No SQLite file named after a URL appears.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }

    @Test("ledger copy: SQLite into PostgreSQL and back, idempotent, verified; a target with other rows is refused")
    func copy() throws {
        let server = try PostgresServer.shared()
        let directory = try TemporaryDirectory()
        _ = try Self.loop(ledger: "ledger.sqlite", in: directory)
        let url = try server.createDatabase()
        let into = try Tool.run("monitor", ["ledger", "copy", "ledger.sqlite", url], in: directory.url)
        #expect(into.status == 0, "\(into.stderr)")
        #expect(into.stdout.contains("telemetry_tasks: ") && into.stdout.contains("every table and view verified"))
        #expect(!(into.stdout + into.stderr).contains(PostgresServer.password))
        // Again: nothing new to copy.
        let again = try Tool.run("canary-deploy", ["ledger", "copy", "ledger.sqlite", url], in: directory.url)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!again.stdout.contains("copied)"))
        // Back into a new file, for sqlite3.
        let back = try Tool.run("feedback-export", ["ledger", "copy", url, "back.sqlite"], in: directory.url)
        #expect(back.status == 0, "\(back.stderr)")
        let original = try Ledger(path: directory.path("ledger.sqlite"))
        let copied = try Ledger(path: directory.path("back.sqlite"))
        for table in ["runs", "stages", "artifacts", "monitor_looks", "telemetry_tasks", "exports", "rollout_history"] {
            #expect(try copied.count(table: table) == original.count(table: table), "\(table)")
        }
        #expect(try copied.integrityProblems().isEmpty)
        // The copy goes on where the original left off: the next row of the shared ledger gets the next id.
        let shared = try Ledger(path: url)
        try shared.recordArtifacts(
            runId: "run-1",
            stage: StageInvocation(tool: "t", arguments: [], startedAt: "s", endedAt: "e", exitStatus: 0),
            outputs: [OutputFile(kind: "k", path: "p", sha256: "x")])
        #expect(try shared.count(table: "stages") == original.count(table: "stages") + 1)
        // Another ledger's history in the target: refused, and the target left as it was.
        let other = try TemporaryDirectory()
        _ = try Self.loopStart(url: other.path("other.sqlite"), in: other)
        let stagesBefore = try shared.count(table: "stages")
        let refused = try Tool.run("monitor", ["ledger", "copy", other.path("other.sqlite"), url], in: directory.url)
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("left as it was"))
        #expect(try shared.count(table: "stages") == stagesBefore)
        let missing = try Tool.run("monitor", ["ledger", "copy", "missing.sqlite", url], in: directory.url)
        #expect(missing.status == 66)
        #expect(!FileManager.default.fileExists(atPath: directory.path("missing.sqlite")))
    }

    @Test("a generated password with /, ?, # and a space: it connects, and no piece of it is printed or recorded")
    func generatedPassword() throws {
        let server = try PostgresServer.shared()
        let role = "generated_\(UInt32.random(in: 0...UInt32.max))"
        let secret = "Gen/pw?x y#z"
        try server.psql("postgres", "CREATE ROLE \(role) LOGIN PASSWORD '\(secret)'")
        try server.psql("postgres", "CREATE DATABASE \(role) OWNER \(role)")
        let url = "postgresql://\(role):\(secret)@127.0.0.1:\(server.port)/\(role)?sslmode=disable"
        let pieces = ["Gen/", "pw?", "x y", "y#z", "#z"]
        func clean(_ text: String) -> Bool { !pieces.contains { text.contains($0) } }
        let directory = try TemporaryDirectory()
        let started = try Self.loopStart(url: url, in: directory)
        #expect(started.status == 0, "\(started.stderr)")
        let check = try Tool.run("monitor", ["ledger", "check", "--ledger", url], in: directory.url)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(clean(check.stdout + check.stderr) && check.stdout.contains(":***@"), "\(check.stdout)")
        let arguments = try server.psql(role, "SELECT arguments FROM stages")
        #expect(clean(arguments) && arguments.contains(":***@"), "\(arguments)")
        // monitor serve's listening line.
        let port = try Services.freePort()
        let serve = try Tool.start(
            "monitor", ["serve", "--listen", "127.0.0.1:\(port)", "--ledger", url, "--policy", "canary.yaml"],
            in: directory.url)
        #expect(Services.waitForPort(port, timeout: 30))
        serve.process.terminate()
        serve.process.waitUntilExit()
        let served = serve.finish()
        #expect(served.stdout.contains("listening on") && clean(served.stdout + served.stderr), "\(served.stdout)")
        // A wrong password, and a URL that cannot be read: refused without a piece of either.
        let wrong = try Tool.run(
            "monitor", ["ledger", "check", "--ledger", url.replacingOccurrences(of: "y#z", with: "y#q")],
            in: directory.url)
        #expect(wrong.status != 0 && clean(wrong.stdout + wrong.stderr) && !wrong.stderr.contains("y#q"))
        let unreadable = try Tool.run(
            "monitor", ["ledger", "check", "--ledger", "postgresql://\(role):Gen%zzpw@127.0.0.1/x"], in: directory.url)
        #expect(unreadable.status == 64, "\(unreadable.stderr)")
        #expect(!unreadable.stderr.contains("Gen") && !unreadable.stderr.contains(role), "\(unreadable.stderr)")
    }

    @Test("TLS: require and verify-full with the CA connect; without the CA, without TLS or unencrypted, refused")
    func tls() throws {
        let server = try PostgresServer.dedicated(tls: true)
        defer { server.remove() }
        let base = try server.createDatabase().replacingOccurrences(of: "?sslmode=disable", with: "")
        let directory = try TemporaryDirectory()
        // `ledger check` reads a ledger and creates none: the test makes one first.
        _ = try Ledger(path: base + "?sslmode=require")
        func check(_ query: String) throws -> ToolResult {
            try Tool.run("benchmark-gate", ["ledger", "check", "--ledger", base + query], in: directory.url)
        }
        for query in ["?sslmode=require", "?sslmode=verify-full&sslrootcert=\(server.caCertificate)", ""] {
            let result = try check(query)
            #expect(result.status == 0, "\(query): \(result.stderr)")
        }
        // The CA is not trusted: the certificate cannot be verified, and nothing is sent.
        let untrusted = try check("?sslmode=verify-full")
        #expect(untrusted.status == 69, "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("127.0.0.1:\(server.port)"))
        // The server takes TCP logins over TLS only.
        let plain = try check("?sslmode=disable")
        #expect(plain.status == 77, "\(plain.stderr)")
        for result in [untrusted, plain] { #expect(!result.stderr.contains(PostgresServer.password)) }
        // A server without TLS is refused when TLS is required.
        let shared = try PostgresServer.shared()
        let unencrypted = try Tool.run(
            "benchmark-gate",
            [
                "ledger", "check", "--ledger",
                try shared.createDatabase().replacingOccurrences(of: "sslmode=disable", with: "sslmode=require"),
            ], in: directory.url)
        #expect(unencrypted.status == 69, "\(unencrypted.stderr)")
        #expect(unencrypted.stderr.contains("does not offer TLS"))
    }
}

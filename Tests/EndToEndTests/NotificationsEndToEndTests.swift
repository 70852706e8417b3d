import Crypto
import Foundation
import RunLedger
import TestSupport
import Testing

/// A local HTTP receiver (`Tests/Receivers/http-receiver`) on 127.0.0.1 that records every request.
final class Receiver {
    let process: Process
    let log: URL
    let port: Int

    init(
        in directory: TemporaryDirectory, name: String, statuses: String = "200", hang: Bool = false,
        extra: [String] = []
    ) throws {
        log = directory.url.appendingPathComponent("\(name).jsonl")
        let portFile = directory.url.appendingPathComponent("\(name).port")
        process = Process()
        process.executableURL = URL(fileURLWithPath: try ExternalTool.python3.require())
        process.arguments =
            [
                Repository.path("Tests/Receivers/http-receiver"), "--port-file", portFile.path, "--log", log.path,
                "--statuses", statuses,
            ] + (hang ? ["--hang"] : []) + extra
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        var port = 0
        while port == 0, Date() < deadline {
            port = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0) } ?? 0
            if port == 0 { Thread.sleep(forTimeInterval: 0.05) }
        }
        self.port = port
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    /// The requests received, in order.
    func requests() throws -> [[String: Any]] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }

    deinit {
        // SIGKILL: a child of the test process may inherit a mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// Notifications through the binaries: every chat format and the signed webhook, retries, a receiver that never
/// answers, and the monitor's own rollback — each checked at the receiver and in the ledger.
@Suite("Notifications end to end", .requires(.python3))
struct NotificationsEndToEndTests {
    static let targets = """
        notify:
          - {kind: slack, url_env: AC_SLACK_URL}
          - {kind: msteams, url_env: AC_TEAMS_URL}
          - {kind: discord, url_env: AC_DISCORD_URL}
          - {kind: googlechat, url_env: AC_CHAT_URL}
          - {kind: webhook, url_env: AC_WEBHOOK_URL, secret_env: AC_WEBHOOK_SECRET}

        """

    /// A passing gate in `directory` and a policy with `notify`.
    static func prepared(_ directory: TemporaryDirectory, notify: String = targets) throws {
        let pass = Repository.path("Tests/Fixtures/native/pass")
        let gate = try Tool.run(
            "benchmark-gate",
            [
                "--candidate", "\(pass)/candidate.jsonl", "--baseline", "\(pass)/baseline.jsonl", "--agent",
                "support-agent", "--output", "gate.json", "--ledger", "ledger.sqlite",
            ], in: directory.url)
        #expect(gate.status == 0, "\(gate.stderr)")
        try directory.write(
            "canary.yaml",
            "agent: {name: support-agent}\nrollout:\n  steps: [{weight: 10}, {weight: 50}]\n" + notify)
    }

    static func deploy(_ arguments: [String], _ directory: TemporaryDirectory, environment: [String: String])
        throws -> ToolResult
    {
        try Tool.run(
            "canary-deploy",
            arguments + ["--ledger", "ledger.sqlite", "--out-dir", "out", "--report-url", "https://ci.example.com/1"],
            environment: environment, in: directory.url)
    }

    static func body(_ request: [String: Any]) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data((request["body"] as? String ?? "").utf8)) as? [String: Any] ?? [:]
    }

    @Test(
        "every transition reaches each service in its own format; the webhook is signed; the ledger has no URL",
        .requires(.pythonEnvironment))
    func everyFormat() throws {
        let directory = try TemporaryDirectory()
        try Self.prepared(directory)
        let receiver = try Receiver(in: directory, name: "receiver")
        let environment = [
            "AC_SLACK_URL": receiver.url("slack"), "AC_TEAMS_URL": receiver.url("teams"),
            "AC_DISCORD_URL": receiver.url("discord"), "AC_CHAT_URL": receiver.url("chat"),
            "AC_WEBHOOK_URL": receiver.url("webhook"), "AC_WEBHOOK_SECRET": "s3cret-key",
        ]
        let start = try Self.deploy(
            ["start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "nginx"], directory,
            environment: environment)
        #expect(start.status == 0, "\(start.stderr)")
        #expect(start.stdout.contains("notified webhook#4: start delivered (1 attempt)"), "\(start.stdout)")
        let advance = try Self.deploy(
            ["advance", "--force", "--reason", "looks fine"], directory, environment: environment)
        #expect(advance.status == 0, "\(advance.stderr)")
        let requests = try receiver.requests()
        #expect(requests.count == 10, "\(requests.count) requests")
        for request in requests {
            let body = try Self.body(request)
            let headers = request["headers"] as? [String: String] ?? [:]
            #expect(headers["content-type"] == "application/json")
            #expect(headers["idempotency-key"]?.hasPrefix("agent-canary:") == true)
            switch request["path"] as? String {
            case "/slack":
                let blocks = body["blocks"] as? [[String: Any]] ?? []
                #expect(body["text"] is String && blocks.first?["type"] as? String == "header")
                #expect(
                    blocks.allSatisfy { ["header", "section", "context", "actions"].contains($0["type"] as? String) })
                let fields = blocks.compactMap { $0["fields"] as? [[String: Any]] }.first ?? []
                #expect(fields.count <= 10 && fields.allSatisfy { $0["type"] as? String == "mrkdwn" })
                #expect(blocks.last?["type"] as? String == "actions")
            case "/teams":
                let attachment = (body["attachments"] as? [[String: Any]])?.first
                #expect(body["type"] as? String == "message")
                #expect(attachment?["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
                let card = attachment?["content"] as? [String: Any] ?? [:]
                #expect(card["type"] as? String == "AdaptiveCard" && card["version"] as? String == "1.4")
                let facts = (card["body"] as? [[String: Any]])?.first { $0["type"] as? String == "FactSet" }
                #expect((facts?["facts"] as? [[String: String]])?.contains { $0["title"] == "Agent" } == true)
                #expect((card["actions"] as? [[String: Any]])?.first?["type"] as? String == "Action.OpenUrl")
            case "/discord":
                let embed = (body["embeds"] as? [[String: Any]])?.first ?? [:]
                #expect((embed["title"] as? String)?.count ?? 999 <= 256)
                #expect(embed["color"] is Int && embed["url"] as? String == "https://ci.example.com/1")
                #expect(
                    (embed["fields"] as? [[String: Any]])?.allSatisfy { $0["name"] is String && $0["value"] is String }
                        == true)
            case "/chat":
                let card = (body["cardsV2"] as? [[String: Any]])?.first
                #expect(card?["cardId"] is String)
                let sections = (card?["card"] as? [String: Any])?["sections"] as? [[String: Any]]
                #expect(sections?.first?["widgets"] is [[String: Any]])
            case "/webhook":
                let signature = headers["x-agentcanary-signature"] ?? ""
                let code = HMAC<SHA256>.authenticationCode(
                    for: Data((request["body"] as? String ?? "").utf8),
                    using: SymmetricKey(data: Data("s3cret-key".utf8)))
                #expect(signature == "sha256=" + code.map { String(format: "%02x", $0) }.joined())
                #expect(body["schema"] as? String == "agent-canary/notification/v1")
                #expect(body["idempotency_key"] as? String == headers["idempotency-key"])
                #expect(body["source"] as? String == "canary-deploy")
            default:
                Issue.record("unexpected path \(request["path"] ?? "")")
            }
        }
        // The forced advance says so, and each transition has its own key.
        let webhooks = try requests.filter { $0["path"] as? String == "/webhook" }.map(Self.body)
        #expect(webhooks.map { $0["event"] as? String } == ["start", "advance"])
        #expect(webhooks.map { $0["forced"] as? Bool } == [false, true])
        #expect(Set(webhooks.compactMap { $0["idempotency_key"] as? String }).count == 2)
        // The bodies as sent validate against the published schema.
        let sent = requests.filter { $0["path"] as? String == "/webhook" }.map { $0["body"] as? String ?? "" }
        try directory.write("webhooks.jsonl", sent.joined(separator: "\n") + "\n")
        let validation = try Validator.check(
            "json-schema", [Repository.path("schemas/notification.schema.json"), directory.path("webhooks.jsonl")])
        #expect(validation.status == 0, "\(validation.output)")
        // The ledger records every delivery and holds no URL, no port, no secret.
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let run = try #require(try ledger.latestRollout()?.runId)
        let records = try ledger.notifications(runId: run)
        #expect(records.count == 10 && records.allSatisfy { $0.status == "delivered" && $0.attempts == 1 })
        let dump = try runCommand(try ExternalTool.sqlite3.require(), [directory.path("ledger.sqlite"), ".dump"])
        #expect(!dump.output.contains("127.0.0.1:\(receiver.port)") && !dump.output.contains("s3cret-key"))
    }

    @Test("a receiver answering 500 then 200 gets one retry with the same key; the decision is untouched")
    func retry() throws {
        let directory = try TemporaryDirectory()
        try Self.prepared(directory, notify: "notify:\n  - {kind: webhook, url_env: AC_WEBHOOK_URL}\n")
        let receiver = try Receiver(in: directory, name: "flaky", statuses: "500,200")
        let start = try Self.deploy(
            ["start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "nginx"], directory,
            environment: ["AC_WEBHOOK_URL": receiver.url("hook")])
        #expect(start.status == 0, "\(start.stderr)")
        let requests = try receiver.requests()
        #expect(requests.count == 2)
        let keys = requests.map { ($0["headers"] as? [String: String])?["idempotency-key"] }
        #expect(keys.count == 2 && keys[0] != nil && keys[0] == keys[1])
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let run = try #require(try ledger.latestRollout()?.runId)
        let record = try #require(try ledger.notifications(runId: run).first)
        #expect(record.attempts == 2 && record.status == "delivered" && record.httpStatus == 200)
    }

    @Test("a 429 with Retry-After: 1 is retried after the second the receiver asked for")
    func retryAfter() throws {
        let directory = try TemporaryDirectory()
        try Self.prepared(directory, notify: "notify:\n  - {kind: discord, url_env: AC_DISCORD_URL}\n")
        let receiver = try Receiver(in: directory, name: "limited", statuses: "429,200")
        let started = Date()
        let start = try Self.deploy(
            ["start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "nginx"], directory,
            environment: ["AC_DISCORD_URL": receiver.url("discord")])
        #expect(start.status == 0, "\(start.stderr)")
        #expect(try receiver.requests().count == 2)
        // The backoff alone would have waited half a second.
        #expect(Date().timeIntervalSince(started) >= 1)
        #expect(start.stdout.contains("notified discord#0: start delivered (2 attempts)"), "\(start.stdout)")
    }

    @Test(
        "a 302 or 307 is not followed: the signed body never reaches the other port, the delivery failed with its status",
        arguments: ["302", "307"])
    func redirectNotFollowed(status: String) throws {
        let directory = try TemporaryDirectory()
        try Self.prepared(
            directory, notify: "notify:\n  - {kind: webhook, url_env: AC_WEBHOOK_URL, secret_env: AC_WEBHOOK_SECRET}\n")
        let elsewhere = try Receiver(in: directory, name: "elsewhere")
        let redirecting = try Receiver(
            in: directory, name: "redirecting", statuses: status, extra: ["--location", elsewhere.url("stolen")])
        let start = try Self.deploy(
            ["start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "nginx"], directory,
            environment: ["AC_WEBHOOK_URL": redirecting.url("hook"), "AC_WEBHOOK_SECRET": "s3cret"])
        #expect(start.status == 0, "\(start.stderr)")
        #expect(try redirecting.requests().count == 1)
        #expect(try elsewhere.requests().isEmpty)
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let run = try #require(try ledger.latestRollout()?.runId)
        let record = try #require(try ledger.notifications(runId: run).first)
        #expect(record.status == "failed" && record.httpStatus == Int(status) && record.error == "HTTP \(status)")
    }

    @Test("a 200 whose body is 4 GiB: delivered on its status, the body not read past 64 KiB")
    func hugeAnswer() throws {
        let directory = try TemporaryDirectory()
        try Self.prepared(directory, notify: "notify:\n  - {kind: webhook, url_env: AC_WEBHOOK_URL}\n")
        let receiver = try Receiver(in: directory, name: "huge", extra: ["--body-bytes", "\(4 << 30)"])
        let running = try Tool.start(
            "canary-deploy",
            [
                "start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "nginx", "--ledger",
                "ledger.sqlite", "--out-dir", "out",
            ], environment: ["AC_WEBHOOK_URL": receiver.url("hook")], in: directory.url)
        // The largest resident size seen while it runs (kB): reading the body whole took gigabytes.
        var peak = 0
        while running.process.isRunning {
            let status =
                (try? String(contentsOfFile: "/proc/\(running.process.processIdentifier)/status", encoding: .utf8))
                ?? ""
            let resident =
                status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
                .flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
            peak = max(peak, resident)
            Thread.sleep(forTimeInterval: 0.02)
        }
        let start = running.finish()
        #expect(start.status == 0, "\(start.stderr)")
        #expect(peak < 256 << 10, "peak RSS \(peak) kB")
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let run = try #require(try ledger.latestRollout()?.runId)
        let record = try #require(try ledger.notifications(runId: run).first)
        #expect(record.status == "delivered" && record.httpStatus == 200 && record.attempts == 1)
    }

    @Test(
        "a receiver that never answers costs at most --notify-timeout; the transition stands, the failure is recorded")
    func hangingReceiver() throws {
        let directory = try TemporaryDirectory()
        try Self.prepared(directory, notify: "notify:\n  - {kind: slack, url_env: AC_SLACK_URL}\n")
        let receiver = try Receiver(in: directory, name: "silent", hang: true)
        let started = Date()
        let start = try Self.deploy(
            ["start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "nginx", "--notify-timeout", "2"],
            directory,
            environment: [
                "AC_SLACK_URL": receiver.url("slack"), "GITHUB_ACTIONS": "true",
                "GITHUB_STEP_SUMMARY": directory.path("step-summary.md"),
            ])
        let elapsed = Date().timeIntervalSince(started)
        #expect(start.status == 0, "\(start.stderr)")
        // The deadline covers every attempt: two seconds and the command's own work.
        #expect(elapsed < 8, "\(elapsed) s")
        #expect(start.stdout.contains("notified slack#0: start failed after "), "\(start.stdout)")
        #expect(start.stdout.contains("no answer within the timeout"), "\(start.stdout)")
        #expect(!start.stderr.contains("127.0.0.1"), "\(start.stderr)")
        // The CI summary shows it, and the page gets a warning.
        let summary = try String(contentsOfFile: directory.path("step-summary.md"), encoding: .utf8)
        #expect(summary.contains("Notifications") && summary.contains("- slack#0: start failed after "), "\(summary)")
        #expect(start.stdout.contains("::warning title=Notification not delivered::slack#0"), "\(start.stdout)")
        let ledger = try Ledger(path: directory.path("ledger.sqlite"))
        let run = try #require(try ledger.latestRollout()?.runId)
        #expect(try ledger.transitions(runId: run).count == 1)
        let record = try #require(try ledger.notifications(runId: run).first)
        #expect(record.status == "failed" && record.error == "no answer within the timeout")
    }

    @Test("the monitor tells of its rollback without acting, with the metrics and their intervals")
    func monitorRollback() throws {
        let directory = try TemporaryDirectory()
        let run = try LoopFixtures.startedRun(
            in: directory,
            policy: "agent: {name: support-agent}\nrollout:\n  steps: [{weight: 50}]\n"
                + "notify:\n  - {kind: webhook, url_env: AC_WEBHOOK_URL, events: [rollback]}\n")
        try LoopFixtures.simulate(
            ["--scenario", "rogue", "--conversations", "1500", "--weight", "50", "--out", "events.jsonl"], in: directory
        )
        let receiver = try Receiver(in: directory, name: "hook")
        let look = try Tool.run(
            "monitor",
            [
                "analyze", "--run", run, "--policy", "canary.yaml", "--events", "events.jsonl", "--ledger",
                "ledger.sqlite",
            ],
            environment: ["AC_WEBHOOK_URL": receiver.url("hook")], in: directory.url)
        #expect(look.status == 1, "\(look.stderr)")
        #expect(look.stdout.contains("webhook#0: rollback delivered"), "\(look.stdout)")
        let bodies = try receiver.requests().map(Self.body)
        #expect(bodies.count == 1)
        let body = try #require(bodies.first)
        #expect(body["source"] as? String == "monitor" && body["decision"] as? String == "rollback")
        #expect((body["idempotency_key"] as? String)?.hasSuffix(":look:1") == true)
        let metrics = body["metrics"] as? [[String: Any]] ?? []
        #expect(metrics.contains { $0["status"] as? String == "regressed" && $0["ci_low"] is Double })
    }
}

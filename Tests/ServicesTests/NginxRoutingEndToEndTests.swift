import Foundation
import TestSupport
import Testing

/// A real nginx (Debian's package), started by the test on 127.0.0.1 with the configuration `canary-deploy`
/// renders, in front of two small local agents that answer with their version. Thousands of multi-turn
/// conversations go through it while the rollout advances, promotes and rolls back.
@Suite(
    "nginx routing end to end", .serialized, .tags(.services), .notInFastPath, .requires(.nginx, .python3))
struct NginxRoutingEndToEndTests {
    static let baselineVersion = "1.4.0"
    static let candidateVersion = "1.5.0"

    /// The gateway, the agents and the files of one test.
    final class Bench {
        let directory: TemporaryDirectory
        let ports: (gateway: Int, baseline: Int, candidate: Int, shadow: Int)
        var services: [ServiceProcess] = []
        let nginx: String
        let python: String

        init(mode: String, steps: String) throws {
            directory = try TemporaryDirectory()
            ports = (try Services.freePort(), try Services.freePort(), try Services.freePort(), try Services.freePort())
            nginx = try ExternalTool.nginx.require()
            python = try ExternalTool.python3.require()
            let policy = """
                agent:
                  name: support-agent
                rollout:
                  mode: \(mode)
                  steps: \(steps)
                  drain_timeout: 30m
                  listen: "127.0.0.1:\(ports.gateway)"
                  baseline: {address: "127.0.0.1:\(ports.baseline)"}
                  candidate: {address: "127.0.0.1:\(ports.candidate)"}
                  shadow: {address: "127.0.0.1:\(ports.shadow)"}
                """
            try directory.write("canary.yaml", policy)
            let server = Repository.path("Tests/Fixtures/routing/agent_server.py")
            for (port, version) in [
                (ports.baseline, NginxRoutingEndToEndTests.baselineVersion),
                (ports.candidate, NginxRoutingEndToEndTests.candidateVersion),
                (ports.shadow, "\(NginxRoutingEndToEndTests.candidateVersion)-shadow"),
            ] {
                services.append(
                    try ServiceProcess(
                        python, [server, String(port), version], log: directory.path("agent-\(port).log")))
                #expect(Services.waitForPort(port), "agent on \(port) did not start")
            }
            let gate = try Tool.run(
                "benchmark-gate",
                [
                    "--candidate", "Tests/Fixtures/native/pass/candidate.jsonl", "--baseline",
                    "Tests/Fixtures/native/pass/baseline.jsonl", "--agent", "support-agent",
                    "--output", directory.path("gate.json"), "--ledger", directory.path("ledger.sqlite"),
                ])
            #expect(gate.status == 0)
            try deploy([
                "start", "--gate", directory.path("gate.json"), "--policy", directory.path("canary.yaml"),
                "--router", "nginx",
            ])
            // The test's own nginx.conf includes the rendered snippet, as a team's configuration would.
            try directory.write(
                "nginx.conf",
                """
                worker_processes 1;
                pid \(directory.path("nginx.pid"));
                error_log \(directory.path("nginx-error.log")) warn;
                events { worker_connections 512; }
                http {
                    access_log off;
                    client_body_temp_path \(directory.path("tmp-body"));
                    proxy_temp_path \(directory.path("tmp-proxy"));
                    fastcgi_temp_path \(directory.path("tmp-fastcgi"));
                    uwsgi_temp_path \(directory.path("tmp-uwsgi"));
                    scgi_temp_path \(directory.path("tmp-scgi"));
                    include \(directory.path("canary-out/agent-canary.conf"));
                }
                """)
            services.append(
                try ServiceProcess(
                    nginx, ["-p", directory.url.path, "-c", directory.path("nginx.conf"), "-g", "daemon off;"],
                    log: directory.path("nginx.log")))
            #expect(Services.waitForPort(ports.gateway), "nginx did not start: \(log("nginx.log"))")
        }

        func log(_ name: String) -> String {
            (try? String(contentsOfFile: directory.path(name), encoding: .utf8)) ?? ""
        }

        @discardableResult
        func deploy(_ arguments: [String], environment: [String: String] = [:]) throws -> ToolResult {
            let result = try Tool.run(
                "canary-deploy",
                arguments + ["--ledger", directory.path("ledger.sqlite"), "--out-dir", directory.path("canary-out")],
                environment: environment)
            #expect(result.status == 0, "canary-deploy \(arguments.first ?? ""): \(result.stderr)")
            return result
        }

        /// Reloads nginx with the configuration just rendered and waits for the new workers.
        func reload() throws {
            let result = try runCommand(
                nginx, ["-p", directory.url.path, "-c", directory.path("nginx.conf"), "-s", "reload"])
            #expect(result.status == 0, "nginx -s reload: \(result.output)")
            Thread.sleep(forTimeInterval: 1.0)
        }

        struct Summary: Decodable {
            var new: [String: Int]
            var mixed_count: Int
            var last_versions: [String: Int]
            var conversations: Int
        }

        func client(_ arguments: [String]) throws -> Summary {
            let result = try runCommand(
                python,
                [
                    Repository.path("Tests/Fixtures/routing/conversation_client.py"),
                    "http://127.0.0.1:\(ports.gateway)", directory.path("conversations.json"),
                ] + arguments)
            #expect(result.status == 0, "client: \(result.output)")
            let line = result.output.split(separator: "\n").last.map(String.init) ?? ""
            return try JSONDecoder().decode(Summary.self, from: Data(line.utf8))
        }

        func agentCounts(_ port: Int) throws -> (requests: Int, mirrored: Int) {
            let fetched = try runCommand(
                python,
                [
                    "-c", "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())",
                    "http://127.0.0.1:\(port)/_requests",
                ])
            let counts = try JSONDecoder().decode([String: Int].self, from: Data(fetched.output.utf8))
            return (counts["requests"] ?? 0, counts["mirrored"] ?? 0)
        }

        deinit {
            for service in services.reversed() { service.stop() }
        }
    }

    /// The share of `n` trials within the 99.9 % two-sided binomial bound around `p` (normal approximation,
    /// z = 3.29; with n ≥ 2,000 and p ≥ 0.05 the expected counts are ≥ 100).
    func withinBound(_ count: Int, of n: Int, p: Double) -> Bool {
        let expected = Double(n) * p
        let sd = (Double(n) * p * (1 - p)).squareRoot()
        return abs(Double(count) - expected) <= 3.29 * sd
    }

    @Test("canary: weights hold, and no conversation changes version across advance, promote and rollback")
    func canary() throws {
        let bench = try Bench(mode: "canary", steps: "[{weight: 5}, {weight: 50}]")
        let candidate = Self.candidateVersion
        let baseline = Self.baselineVersion

        let first = try bench.client(["--new", "2000", "--turns", "3"])
        #expect(withinBound(first.new[candidate] ?? 0, of: 2000, p: 0.05), "\(first.new)")
        #expect(first.mixed_count == 0)

        try bench.deploy(["advance", "--force", "--reason", "step 1 looked fine"])
        try bench.reload()
        let second = try bench.client(["--continue-turns", "2", "--new", "2000", "--turns", "3"])
        #expect(withinBound(second.new[candidate] ?? 0, of: 2000, p: 0.5), "\(second.new)")
        #expect(second.mixed_count == 0, "conversations switched version across the advance")

        try bench.deploy(["promote", "--force", "--reason", "all criteria met"])
        try bench.reload()
        let third = try bench.client(["--continue-turns", "1", "--new", "300", "--turns", "2"])
        #expect(third.new == [candidate: 300])
        #expect(third.mixed_count == 0, "conversations switched version at promotion")

        try bench.deploy(["rollback", "--reason", "a late regression"])
        try bench.reload()
        let fourth = try bench.client(["--continue-turns", "1", "--new", "300", "--turns", "2"])
        #expect(fourth.new == [baseline: 300])
        #expect(fourth.mixed_count == 0, "conversations switched version during the drain window")
        #expect((fourth.last_versions[candidate] ?? 0) > 1000)

        // Two hours later the drain deadline has passed: reconcile drops the candidate's pins.
        let later = String(Int(Date().timeIntervalSince1970) + 7200)
        try bench.deploy(["reconcile"], environment: ["SOURCE_DATE_EPOCH": later])
        try bench.reload()
        let fifth = try bench.client(["--continue-turns", "1"])
        #expect(fifth.last_versions == [baseline: fifth.conversations])
    }

    @Test("shadow: users only get the stable answers; the mirrored share matches the step")
    func shadow() throws {
        let bench = try Bench(mode: "shadow", steps: "[{weight: 10}]")
        let summary = try bench.client(["--new", "2000", "--turns", "1"])
        #expect(summary.new == [Self.baselineVersion: 2000])
        let shadow = try bench.agentCounts(bench.ports.shadow)
        #expect(shadow.requests == shadow.mirrored)
        #expect(withinBound(shadow.mirrored, of: 2000, p: 0.10), "mirrored \(shadow.mirrored) of 2000")
        #expect(try bench.agentCounts(bench.ports.candidate).requests == 0)
    }

    @Test("dark launch: only header-marked requests reach the candidate")
    func dark() throws {
        let bench = try Bench(mode: "dark", steps: "[{weight: 1}]")
        let users = try bench.client(["--new", "500", "--turns", "2"])
        #expect(users.new == [Self.baselineVersion: 500])
        try FileManager.default.removeItem(atPath: bench.directory.path("conversations.json"))
        let testers = try bench.client(["--new", "200", "--turns", "2", "--header", "x-agent-canary:dark"])
        #expect(testers.new == [Self.candidateVersion: 200])
        #expect(testers.mixed_count == 0)
        // A tester's pin alone does not reach the candidate without the header.
        let withoutHeader = try bench.client(["--continue-turns", "1"])
        #expect(withoutHeader.last_versions == [Self.baselineVersion: 200])
    }
}

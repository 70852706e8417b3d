import Analysis
import AnalysisCore
import Artifacts
import Foundation
import TestSupport
import Testing
import Vocabulary

/// The monitor against real components started on 127.0.0.1: Prometheus (Debian's `prometheus`, data loaded
/// with `promtool tsdb create-blocks-from openmetrics`) and the HTML report in headless Chromium.
@Suite("monitor with Prometheus and Chromium", .tags(.services), .notInFastPath)
struct MonitorServicesTests {
    static let epoch = 1_795_651_200  // 2026-11-26T00:00:00Z

    /// An hour of an error-ratio gauge per version, every 15 s, in OpenMetrics text.
    static func openMetrics(baseline: Double, candidate: Double) -> String {
        var lines = [
            "# HELP agent_http_error_ratio Share of HTTP requests answered with 5xx.",
            "# TYPE agent_http_error_ratio gauge",
        ]
        for step in 0..<240 {
            let time = epoch + step * 15
            lines.append("agent_http_error_ratio{version=\"1.4.0\"} \(baseline) \(time)")
            lines.append("agent_http_error_ratio{version=\"1.5.0\"} \(candidate) \(time)")
        }
        return lines.joined(separator: "\n") + "\n# EOF\n"
    }

    static func policy(role: String, query: String) -> String {
        """
        agent: {name: support-agent}
        monitor:
          prometheus:
            metrics:
              - name: http_error_ratio
                query: '\(query)'
                direction: lower
                role: \(role)
                margin: 0.1

        """
    }

    @Test(
        "Prometheus: PromQL per arm, a regression holds or rolls back by role; refused query 65; down 69",
        .requires(.prometheus, .promtool, .curl))
    func prometheus() throws {
        let promtool = try ExternalTool.promtool.require()
        let server = try ExternalTool.prometheus.require()
        let directory = try TemporaryDirectory()
        try directory.write("data.om", Self.openMetrics(baseline: 0.01, candidate: 0.05))
        let load = try runCommand(
            promtool, ["tsdb", "create-blocks-from", "openmetrics", directory.path("data.om"), directory.path("tsdb")])
        #expect(load.status == 0, "\(load.output)")
        // The monitor's own metrics file (the golden one), stamped at 00:10, for the Grafana dashboard's queries.
        let golden = try String(contentsOfFile: Golden.path("monitor/canary.prom"), encoding: .utf8)
        let stamped = golden.split(separator: "\n", omittingEmptySubsequences: true).map {
            $0.hasPrefix("#") ? String($0) : "\($0) \(Self.epoch + 600)"
        }
        try directory.write("canary.om", stamped.joined(separator: "\n") + "\n# EOF\n")
        let loadOwn = try runCommand(
            promtool,
            ["tsdb", "create-blocks-from", "openmetrics", directory.path("canary.om"), directory.path("tsdb")])
        #expect(loadOwn.status == 0, "\(loadOwn.output)")
        try directory.write("prometheus.yml", "global:\n  scrape_interval: 1h\n")
        let port = try Services.freePort()
        let service = try ServiceProcess(
            server,
            [
                "--config.file=\(directory.path("prometheus.yml"))", "--storage.tsdb.path=\(directory.path("tsdb"))",
                "--storage.tsdb.retention.time=100y", "--web.listen-address=127.0.0.1:\(port)",
            ], log: directory.path("prometheus.log"))
        defer { service.stop() }
        #expect(Services.waitForPort(port, timeout: 30))
        // Wait until the backfilled block answers.
        let query = "max_over_time(agent_http_error_ratio{version=\"{{version}}\"}[{{window}}])"
        try directory.write("signal.yaml", Self.policy(role: "signal", query: query))
        try directory.write("guardrail.yaml", Self.policy(role: "guardrail", query: query))
        let at = "2026-11-26T00:30:00Z"
        func analyze(_ policy: String, url: String = "http://127.0.0.1:\(port)") throws -> ToolResult {
            try Tool.run(
                "monitor",
                [
                    "analyze", "--baseline-version", "1.4.0", "--candidate-version", "1.5.0", "--policy", policy,
                    "--prometheus", url, "--at", at, "--output", "analysis.json", "--ledger", "ledger.sqlite",
                ], in: directory.url)
        }
        var signal = try analyze("signal.yaml")
        let deadline = Date().addingTimeInterval(30)
        while signal.status == 0, Date() < deadline,
            (try? LoopFixtures.analysis(directory.path("analysis.json")))?.judgement.metrics.last?.status
                == .insufficient
        {
            Thread.sleep(forTimeInterval: 0.5)
            signal = try analyze("signal.yaml")
        }
        #expect(signal.status == 0, "\(signal.stderr)")
        let held = try LoopFixtures.analysis(directory.path("analysis.json"))
        let metric = try #require(held.judgement.metrics.first { $0.name == "http_error_ratio" })
        #expect(metric.baseline.value == 0.01)
        #expect(metric.candidate.value == 0.05)
        #expect(metric.status == .regressed)
        #expect(held.judgement.decision == .hold)

        // Every query of the Grafana dashboard finds the series the metrics file writes.
        let dashboard = try JSONSerialization.jsonObject(
            with: Data(
                contentsOf: URL(fileURLWithPath: Repository.path("pipelines/grafana/agent-canary-dashboard.json"))))
        let panels = (dashboard as? [String: Any])?["panels"] as? [[String: Any]] ?? []
        #expect(panels.count >= 10)
        for panel in panels {
            for target in panel["targets"] as? [[String: Any]] ?? [] {
                let expr = (target["expr"] as? String ?? "").replacingOccurrences(of: "$agent", with: "support-agent")
                    .replacingOccurrences(of: "$run", with: "")
                let answer = try runCommand(
                    try ExternalTool.curl.require(),
                    [
                        "-s", "--get", "http://127.0.0.1:\(port)/api/v1/query", "--data-urlencode", "query=\(expr)",
                        "--data-urlencode", "time=\(Self.epoch + 620)",
                    ])
                #expect(answer.output.contains("\"status\":\"success\""), "\(expr): \(answer.output)")
                let empty = answer.output.contains("\"result\":[]")
                // "Regressed metrics" filters on == 1 and the golden look has regressions; all series exist.
                #expect(!empty, "\(panel["title"] ?? ""): \(expr) found no series: \(answer.output.prefix(300))")
            }
        }

        let guardrail = try analyze("guardrail.yaml")
        #expect(guardrail.status == 1, "\(guardrail.stderr)")
        #expect(try LoopFixtures.analysis(directory.path("analysis.json")).judgement.decision == .rollback)

        // A query Prometheus refuses is the policy's fault (65); a Prometheus that is down is 69. Neither
        // writes anything.
        try directory.write("bad.yaml", Self.policy(role: "signal", query: "sum(rate(x{version=\"{{version}}\"}[5m]"))
        let before = try directory.snapshot().filter { !$0.key.hasPrefix("tsdb") && $0.key != "prometheus.log" }
        let refused = try analyze("bad.yaml")
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("monitor.prometheus.metrics[0].query"))
        let down = try analyze("signal.yaml", url: "http://127.0.0.1:\(try Services.freePort())")
        #expect(down.status == 69, "\(down.stderr)")
        #expect(down.stderr.contains("unavailable"))
        let after = try directory.snapshot().filter { !$0.key.hasPrefix("tsdb") && $0.key != "prometheus.log" }
        #expect(after == before)
    }

    @Test(
        "the HTML report renders in headless Chromium: not blank, charts drawn, no console errors",
        .requires(.chromium, .pythonEnvironment))
    func reportInChromium() throws {
        let chromium = try ExternalTool.chromium.require()
        let directory = try TemporaryDirectory()
        let run = try LoopFixtures.startedRun(in: directory)
        for (batch, conversations) in [("a", 300), ("b", 600), ("c", 900)] {
            try LoopFixtures.simulate(
                [
                    "--conversations", String(conversations), "--weight", "50", "--id-prefix", batch, "--out",
                    "events.jsonl",
                    "--append", "--start", "2026-11-26T00:05:00Z",
                ], in: directory)
            let look = try LoopFixtures.monitor(
                [
                    "analyze", "--run", run, "--policy", "canary.yaml", "--events", "events.jsonl", "--output",
                    "analysis.json", "--report", "report.html",
                ], in: directory)
            #expect(look.status == 0, "\(look.stderr)")
        }
        let html = try String(contentsOfFile: directory.path("report.html"), encoding: .utf8)
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"))
        #expect(html.contains("<svg"))
        let screenshot = directory.path("report.png")
        let render = try runCommand(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,1800",
                "--enable-logging=stderr", "--v=0", "--screenshot=\(screenshot)",
                "file://\(directory.path("report.html"))",
            ])
        #expect(render.status == 0, "\(render.output)")
        let console = render.output.split(separator: "\n").filter {
            $0.contains("CONSOLE") || $0.contains("Failed to load resource")
        }
        #expect(console.isEmpty, "console: \(console)")
        // The screenshot: enough distinct colours to be a page, and pixels of the candidate's series colour.
        let check = try runCommand(
            try ExternalTool.pythonEnvironment.require(),
            [
                "-c",
                """
                import sys
                from PIL import Image, ImageStat
                image = Image.open(sys.argv[1]).convert("RGB")
                colours = image.getcolors(1 << 24)
                stddev = ImageStat.Stat(image.convert("L")).stddev[0]
                candidate = sum(n for n, (r, g, b) in colours if abs(r - 0xd9) < 30 and abs(g - 0x48) < 40 and abs(b - 0x0f) < 40)
                print(len(colours), round(stddev, 1), candidate)
                """, screenshot,
            ])
        #expect(check.status == 0, "\(check.output)")
        let figures = check.output.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
        #expect(figures.count == 3, "\(check.output)")
        if figures.count == 3 {
            #expect(figures[0] > 50, "distinct colours")
            #expect(figures[1] > 10, "brightness spread")
            #expect(figures[2] > 100, "candidate-coloured pixels")
        }
    }
}

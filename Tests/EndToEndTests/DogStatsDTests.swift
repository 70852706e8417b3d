import Analysis
import AnalysisCore
import Artifacts
import Foundation
import TestSupport
import Testing
import ToolContract
import Vocabulary

/// A UDP socket on 127.0.0.1 that collects what arrives.
final class UDPListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        #if os(Linux)
            let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_DGRAM, 0)
        #endif
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard descriptor >= 0, bound == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Every datagram until none arrives for two seconds, split into lines.
    func lines() -> [String] {
        var lines: [String] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { return lines }
            lines += String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\n").map(String.init)
        }
    }

    deinit { close(descriptor) }
}

@Suite("DogStatsD from the monitor")
struct DogStatsDTests {
    @Test("a look sends its per-arm metrics and its decision as DogStatsD lines with the five tags")
    func look() throws {
        let directory = try TemporaryDirectory()
        let run = try LoopFixtures.startedRun(in: directory)
        try LoopFixtures.simulate(
            ["--scenario", "rogue", "--conversations", "1200", "--weight", "50", "--out", "events.jsonl"], in: directory
        )
        let listener = try UDPListener()
        let look = try LoopFixtures.monitor(
            [
                "analyze", "--run", run, "--policy", "canary.yaml", "--events", "events.jsonl", "--output",
                "analysis.json", "--statsd", "127.0.0.1:\(listener.port)",
            ], in: directory)
        #expect(look.status <= 1, "\(look.stderr)")
        let artifact = try LoopFixtures.analysis(directory.path("analysis.json"))
        let lines = listener.lines()
        #expect(lines.count > 20, "\(lines.count) lines")
        let gauge = try Regex(
            #"^agent_canary\.[a-z_.]+:-?[0-9][0-9.e+-]*\|g\|#([a-z_]+:[a-z0-9_./:-]+)(,[a-z_]+:[a-z0-9_./:-]+)*$"#)
        for line in lines where !line.hasPrefix("_e{") {
            #expect(line.wholeMatch(of: gauge) != nil, "\(line)")
            let tags = Set(
                line.split(separator: "#").last?.split(separator: ",").map { $0.split(separator: ":")[0] } ?? [])
            #expect(["agent", "run", "step", "arm", "version"].allSatisfy { tags.contains(Substring($0)) }, "\(line)")
        }
        let runTag = "run:\(run.lowercased())"
        #expect(
            lines.contains(
                "agent_canary.tasks:\(artifact.judgement.sample.candidateTasks)|g|#agent:support-agent,\(runTag),step:1,"
                    + "arm:candidate,version:1.5.0"), "\(lines.filter { $0.contains(".tasks:") })")
        #expect(
            lines.contains {
                $0.hasPrefix("agent_canary.decision:1|g|")
                    && $0.hasSuffix("decision:\(artifact.judgement.decision.rawValue)")
            })
        let event = try #require(lines.first { $0.hasPrefix("_e{") })
        #expect(event.contains("|t:\(artifact.judgement.decision == .rollback ? "error" : "info")|"), "\(event)")
    }

    /// The Datadog dashboard shows what the Grafana one shows, from series the monitor sends.
    @Test("the Datadog dashboard mirrors the Grafana one's panels, on metrics DogStatsD sends")
    func dashboard() throws {
        func json(_ path: String) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Repository.path(path))))
                as? [String: Any] ?? [:]
        }
        let grafana = try json("pipelines/grafana/agent-canary-dashboard.json")
        let datadog = try json("pipelines/datadog/agent-canary-dashboard.json")
        let panels = (grafana["panels"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
        let widgets = (datadog["widgets"] as? [[String: Any]] ?? []).compactMap {
            ($0["definition"] as? [String: Any])?["title"] as? String
        }
        #expect(!panels.isEmpty && widgets == panels)
        let artifact = try ArtifactCoding.makeDecoder().decode(
            AnalysisArtifact.self,
            from: Data(contentsOf: URL(fileURLWithPath: Repository.path("schemas/examples/analysis.json"))))
        let sent = Set(
            DogStatsD.lines(artifact, phase: .progressing).compactMap {
                $0.split(separator: ":").first.map(String.init)
            })
        let queried = try Regex(#"agent_canary\.[a-z_.]+"#)
        for widget in datadog["widgets"] as? [[String: Any]] ?? [] {
            let requests = (widget["definition"] as? [String: Any])?["requests"] as? [[String: Any]] ?? []
            for query in requests.compactMap({ $0["q"] as? String }) {
                for match in query.matches(of: queried) {
                    #expect(sent.contains(String(query[match.range])), "\(query)")
                }
            }
        }
    }
}

import AnalysisCore
import Artifacts
import Foundation
import Logging
import Vocabulary

/// A look as DogStatsD datagrams for the Datadog agent: the same series as ``MetricsFile`` gives Prometheus —
/// phase, weight, decision, tasks per arm, each metric's value per arm, its always-valid interval and whether
/// it regressed — as gauges tagged `agent`, `version`, `arm`, `run` and `step`, and the decision as an event.
///
/// Format (DogStatsD datagram v1.1): `name:value|g|#tag:value,…`; an event is `_e{title,text}:title|text|…`.
/// Lines are packed into datagrams of at most 1,432 bytes (one Ethernet MTU), sent by UDP: a missing agent
/// loses them, never delays or fails a look.
package enum DogStatsD {
    static let maximumDatagram = 1_432

    /// A tag value as Datadog keeps it: lower case; letters, digits, `_ - . / :` kept, anything else `_`.
    static func tag(_ text: String) -> String {
        String(
            text.lowercased().unicodeScalars.prefix(200).map { scalar in
                scalar.isASCII
                    && (CharacterSet.alphanumerics.contains(scalar) || "_-./:".unicodeScalars.contains(scalar))
                    ? Character(scalar) : "_"
            })
    }

    /// An event's title or text as the datagram carries it: a line break written `\\n` (DogStatsD's escape), so
    /// that no value — a reason quoting an event id, say — ends the event and starts a line of its own; the
    /// event's declared lengths are those of these bytes.
    static func eventText(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\\n").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// The lines of one look; `phase` is the rollout's phase (tagged `analysis` without a rollout).
    package static func lines(_ artifact: AnalysisArtifact, phase: RolloutPhase?) -> [String] {
        let phase = phase?.rawValue ?? "analysis"
        let run = artifact.runId.isEmpty ? "none" : artifact.runId
        let common = [
            "agent:\(tag(artifact.agent))", "run:\(tag(run))", "step:\(artifact.step.map(String.init) ?? "none")",
        ]
        func version(_ arm: Arm) -> String {
            tag(arm == .baseline ? artifact.baselineVersion : artifact.candidateVersion)
        }
        var lines: [String] = []
        func gauge(_ name: String, _ value: Double, _ tags: [String]) {
            guard value.isFinite else { return }
            lines.append("agent_canary.\(name):\(number(value))|g|#" + (common + tags).joined(separator: ","))
        }
        let candidate = ["arm:candidate", "version:\(version(.candidate))"]
        for known in ["progressing", "paused", "promoted", "rolled_back", "analysis"] {
            gauge("phase", known == phase ? 1 : 0, candidate + ["phase:\(known)"])
        }
        gauge("weight_percent", Double(artifact.weight ?? 0), candidate)
        for decision in Decision.allCases {
            gauge(
                "decision", decision == artifact.judgement.decision ? 1 : 0,
                candidate + ["decision:\(decision.rawValue)"])
        }
        gauge("more_tasks_needed", Double(artifact.judgement.sample.moreCandidateTasksNeeded), candidate)
        for (arm, tasks) in [
            (Arm.baseline, artifact.judgement.sample.baselineTasks),
            (Arm.candidate, artifact.judgement.sample.candidateTasks),
        ] {
            gauge("tasks", Double(tasks), ["arm:\(arm.rawValue)", "version:\(version(arm))"])
        }
        for metric in artifact.judgement.metrics {
            let name = "metric:\(tag(metric.name))"
            for (arm, value) in [(Arm.baseline, metric.baseline.value), (Arm.candidate, metric.candidate.value)] {
                if let value { gauge("metric.value", value, [name, "arm:\(arm.rawValue)", "version:\(version(arm))"]) }
            }
            if let low = metric.ciLow { gauge("metric.ci_low", low, candidate + [name]) }
            if let high = metric.ciHigh { gauge("metric.ci_high", high, candidate + [name]) }
            gauge("metric.regressed", metric.status == .regressed ? 1 : 0, candidate + [name, "role:\(metric.role)"])
        }
        // The decision as an event, for the dashboard's event overlay and monitors.
        let title = eventText(
            "AgentCanary \(artifact.judgement.decision.rawValue): \(artifact.agent) \(artifact.candidateVersion)")
        let text = eventText(artifact.judgement.reasons.joined(separator: "\n"))
        let alert =
            switch artifact.judgement.decision {
            case .rollback: "error"
            case .hold: "warning"
            case .promote: "success"
            case .continue: "info"
            }
        lines.append(
            "_e{\(title.utf8.count),\(text.utf8.count)}:\(title)|\(text)|t:\(alert)|s:agent-canary|#"
                + (common + candidate + ["decision:\(artifact.judgement.decision.rawValue)"]).joined(separator: ","))
        return lines
    }

    /// `lines` packed into datagrams of at most ``maximumDatagram`` bytes (a longer line goes alone).
    static func datagrams(_ lines: [String]) -> [Data] {
        var datagrams: [Data] = []
        var current = Data()
        for line in lines {
            let bytes = Data(line.utf8)
            if !current.isEmpty, current.count + 1 + bytes.count > maximumDatagram {
                datagrams.append(current)
                current = Data()
            }
            if !current.isEmpty { current.append(0x0A) }
            current.append(bytes)
        }
        if !current.isEmpty { datagrams.append(current) }
        return datagrams
    }

    /// Sends `lines` to `address` (`host:port`) by UDP; a failure is logged, nothing else.
    package static func send(_ lines: [String], to address: String, logger: Logger) {
        guard let colon = address.lastIndex(of: ":") else { return }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = String(address[address.index(after: colon)...])
        var hints = addrinfo()
        #if os(Linux)
            hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #else
            hints.ai_socktype = SOCK_DGRAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, port, &hints, &result) == 0, let info = result else {
            logger.warning("DogStatsD not sent", metadata: ["address": "\(address)", "reason": "host not found"])
            return
        }
        defer { freeaddrinfo(result) }
        let descriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard descriptor >= 0 else {
            logger.warning("DogStatsD not sent", metadata: ["reason": "\(String(cString: strerror(errno)))"])
            return
        }
        defer { close(descriptor) }
        for datagram in datagrams(lines) {
            let sent = datagram.withUnsafeBytes { bytes in
                sendto(descriptor, bytes.baseAddress, bytes.count, 0, info.pointee.ai_addr, info.pointee.ai_addrlen)
            }
            if sent < 0 {
                logger.warning(
                    "DogStatsD datagram not sent",
                    metadata: ["address": "\(address)", "reason": "\(String(cString: strerror(errno)))"])
                return
            }
        }
    }
}

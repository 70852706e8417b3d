import ArgumentParser
import CommandSupport
import Foundation
import Simulation
import Telemetry
import ToolContract

struct TelemetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telemetry",
        abstract: "Simulate a fleet's production telemetry for a baseline and a candidate version.",
        discussion: """
            Scenarios: aa (identical versions), good (success +1 point, cost −5 %), regressed (success −8 points, \
            cost +20 %), rogue (1 candidate task in 50 makes an unauthorized refund, with a violation event). The \
            effect flags override the scenario's values. Seeded and deterministic; each conversation stays on one \
            version. Native events (JSONL) or OTLP/JSON traces (tasks only) with current, legacy or OpenInference \
            attribute names.
            """)

    @Option(help: "aa, good, regressed or rogue.") var scenario = "good"
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "New conversations.") var conversations = 1000
    @Option(help: "Percent of conversations routed (or mirrored, with --shadow) to the candidate.") var weight = 10.0
    @Flag(help: "Shadow mode: the baseline serves everyone; the candidate proposes tool calls for mirrored requests.")
    var shadow = false
    @Option(help: "native or otlp.") var format = "native"
    @Option(help: "OTLP attribute names: current, legacy or openinference.") var names = "current"
    @Option(help: "Output file (default stdout).") var out: String?
    @Flag(help: "Append to the output file instead of replacing it.") var append = false
    @Option(help: "Time of the first conversation (RFC 3339).") var start = "2026-11-26T12:00:00Z"
    @Option(help: "New conversations per second.") var rate = 2.0
    @Option(help: "Baseline version.") var baselineVersion = "1.4.0"
    @Option(help: "Candidate version.") var candidateVersion = "1.5.0"
    @Option(help: "Prefix of every id (use a new one per batch).") var idPrefix = "sim"
    @Flag(help: "Leave out input and output content.") var noContent = false
    @Flag(help: "Only task events (no feedback, violations or shadow proposals).") var tasksOnly = false
    @Option(parsing: .unconditional, help: "Candidate success change, e.g. -0.04.") var successShift: Double?
    @Option(help: "Candidate cost ratio, e.g. 1.2.") var costRatio: Double?
    @Option(help: "Candidate latency ratio.") var latencyRatio: Double?
    @Option(help: "Candidate latency spread ratio (variance-only regression).") var latencySpreadRatio: Double?
    @Option(help: "Per-task chance of an unauthorized tool call by the candidate.") var rogueRate: Double?
    @Option(help: "Per-task chance of a critical violation by the candidate.") var criticalRate: Double?

    func validate() throws {
        guard FleetScenario.named(scenario) != nil else {
            throw ValidationError(
                "--scenario '\(scenario)' is not one of: \(FleetScenario.names.joined(separator: ", "))")
        }
        guard ["native", "otlp"].contains(format) else { throw ValidationError("--format is native or otlp") }
        guard GenAINames(rawValue: names) != nil else {
            throw ValidationError("--names is current, legacy or openinference")
        }
        guard Timestamp.parse(start) != nil else { throw ValidationError("--start '\(start)' is not an RFC 3339 time") }
        guard (0...100).contains(weight) else { throw ValidationError("--weight is a percentage (0…100)") }
    }

    func run() throws {
        try ToolRunner.run {
            guard var scenario = FleetScenario.named(self.scenario) else { return ExitStatus.usage.rawValue }
            if let successShift { scenario.successShift = successShift }
            if let costRatio { scenario.costRatio = costRatio }
            if let latencyRatio { scenario.latencyRatio = latencyRatio }
            if let latencySpreadRatio { scenario.latencySpreadRatio = latencySpreadRatio }
            if let rogueRate { scenario.rogueRate = rogueRate }
            if let criticalRate { scenario.criticalRate = criticalRate }
            var traffic = FleetTraffic()
            traffic.conversations = conversations
            traffic.candidateShare = weight / 100
            traffic.shadow = shadow
            traffic.start = Timestamp.parse(start) ?? traffic.start
            traffic.conversationsPerSecond = rate
            traffic.baselineVersion = baselineVersion
            traffic.candidateVersion = candidateVersion
            traffic.idPrefix = idPrefix
            traffic.content = !noContent
            let simulator = FleetSimulator(traffic: traffic, scenario: scenario, seed: seed)
            let writer = try LineSink(path: out, append: append)
            let otlpNames = format == "otlp" ? GenAINames(rawValue: names) : nil
            try simulator.generate { event in
                if let otlpNames {
                    if case .task(let task) = event { try writer.write(OTLPWriter.line(task, names: otlpNames)) }
                } else if !tasksOnly || { if case .task = event { return true } else { return false } }() {
                    try writer.write(NativeEventWriter.line(event))
                }
            }
            try writer.close()
            return 0
        }
    }
}

import ArgumentParser
import ToolContract

@main
struct AgentSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-sim",
        abstract: "Simulate an agent fleet: benchmark suites and telemetry for a baseline and a candidate.",
        version: agentCanaryVersion,
        subcommands: [
            Suite.self, TelemetryCommand.self, BenchGate.self, BenchMonitor.self, BenchExport.self, BenchLedger.self,
            BenchIntake.self, BenchIntakeLook.self, Evaluate.self, Send.self,
        ])
}

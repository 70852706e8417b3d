import ArgumentParser
import CommandSupport
import Foundation
import Gate
import Stages

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Gate a candidate (the default command).",
        discussion: """
            Reads native results (JSONL or a JSON array) or Inspect AI logs (JSON), compares task success, \
            pass^k, cost, latency and unauthorized actions with paired statistics, writes gate-result.json, \
            records the gate in the ledger and prints the summary.
            """)

    @Option(help: ArgumentHelp("The candidate's results.", valueName: "file"))
    var candidate: String

    @Option(help: ArgumentHelp("The baseline's results.", valueName: "file"))
    var baseline: String?

    @Flag(help: "Use the results of the agent's last promoted (else last passing) version from the ledger.")
    var baselineFromLedger = false

    @Option(help: ArgumentHelp("The release policy (canary.yaml or .json).", valueName: "file"))
    var policy: String?

    @Option(help: ArgumentHelp("The agent's name (overrides agent.name).", valueName: "name"))
    var agent: String?

    @Option(help: ArgumentHelp("The candidate's version.", valueName: "version"))
    var candidateVersion: String?

    @Option(help: ArgumentHelp("The baseline's version.", valueName: "version"))
    var baselineVersion: String?

    @Option(help: ArgumentHelp("Where to write the gate result.", valueName: "file"))
    var output = "gate-result.json"

    @Option(
        help: ArgumentHelp("Record under this run id (default: $AGENT_CANARY_RUN_ID, else a new id).", valueName: "id"))
    var runId: String?

    @OptionGroup var ci: CIOptions
    @OptionGroup var ledger: LedgerOptions

    func validate() throws {
        if baselineFromLedger && baseline != nil {
            throw ValidationError("Pass either --baseline or --baseline-from-ledger, not both.")
        }
        if !baselineFromLedger && baseline == nil {
            throw ValidationError("Missing --baseline (or --baseline-from-ledger).")
        }
    }

    func run() throws {
        try ToolRunner.run {
            let outcome = try BenchmarkGate.run(
                GateRequest(
                    candidatePath: candidate, baselinePath: baseline, baselineFromLedger: baselineFromLedger,
                    policyPath: policy, agent: agent, candidateVersion: candidateVersion,
                    baselineVersion: baselineVersion, outputPath: output, runId: runId,
                    stage: .invocation(tool: "benchmark-gate", ledger: ledger, ci: ci)))
            ToolRunner.printResult(GateSummaryText.render(outcome))
            return outcome.exitStatus
        }
    }
}

import Analysis
import ArgumentParser
import CommandSupport
import Foundation
import RunLedger
import Stages
import Telemetry
import ToolContract

/// What to compare and where the telemetry is.
struct LookOptions: ParsableArguments {
    @Option(name: .customLong("run"), help: ArgumentHelp("The run whose rollout to judge.", valueName: "id"))
    var runID: String?

    @Option(help: ArgumentHelp("The baseline version, to analyse telemetry without a rollout.", valueName: "version"))
    var baselineVersion: String?

    @Option(help: ArgumentHelp("The candidate version, with --baseline-version.", valueName: "version"))
    var candidateVersion: String?

    @Option(help: ArgumentHelp("The release policy (its monitor section).", valueName: "canary.yaml"))
    var policy: String?

    @Option(help: ArgumentHelp("The agent's name (overrides the policy's agent.name).", valueName: "name"))
    var agent: String?

    @Option(
        name: .customLong("events"),
        help: ArgumentHelp(
            "Native agent events (JSONL): a file, a directory of them, or - for stdin.", valueName: "path"))
    var events: [String] = []

    @Option(
        name: .customLong("otlp"),
        help: ArgumentHelp(
            "OTLP/JSON traces as the collector's file exporter writes them: a file or directory.", valueName: "path"))
    var otlp: [String] = []

    @Flag(
        help: ArgumentHelp(
            "Read what monitor serve stored in the ledger for the run's agent since the previous look (needs --run)."
        ))
    var intake = false

    @Option(help: ArgumentHelp("The Prometheus server for the policy's PromQL metrics.", valueName: "url"))
    var prometheus: String?

    @Option(
        help: ArgumentHelp(
            "The time of the look (RFC 3339), for Prometheus queries and the step's age. Default: now.",
            valueName: "time"))
    var at: String?

    @Option(help: ArgumentHelp("Where to write analysis.json.", valueName: "path"))
    var output = "agent-canary-out/analysis.json"

    @Option(help: ArgumentHelp("Write the HTML report (self-contained, SVG charts).", valueName: "path"))
    var report: String?

    @Option(name: .customLong("metrics-file"), help: ArgumentHelp("Write Prometheus text metrics.", valueName: "path"))
    var metricsFile: String?

    @Flag(help: "Carry the decision out: advance, promote after the last step, or roll back (needs --run).")
    var act = false

    @Option(
        name: .customLong("out-dir"),
        help: ArgumentHelp("With --act: where rollout.json and the routing configuration go.", valueName: "dir"))
    var outDir = "canary-out"

    @Flag(help: "Print analysis.json on stdout instead of the summary.")
    var json = false

    @Option(
        name: .customLong("max-line-bytes"),
        help: ArgumentHelp("The longest telemetry line read; a longer one is bad input (exit 65).", valueName: "n"))
    var maxLineBytes = TelemetryReader.defaultMaxLineBytes

    @OptionGroup var notify: NotifyOptions

    @Option(
        help: ArgumentHelp(
            "Send the look's metrics and decision to a DogStatsD agent by UDP (overrides the policy's monitor.statsd).",
            valueName: "host:port"))
    var statsd: String?

    func validate() throws {
        if runID == nil, baselineVersion == nil || candidateVersion == nil {
            throw ValidationError("name a run (--run ID) or both --baseline-version and --candidate-version")
        }
        if runID != nil, baselineVersion != nil || candidateVersion != nil {
            throw ValidationError(
                "--run takes the versions from the ledger; leave out --baseline-version and --candidate-version")
        }
        if act, runID == nil { throw ValidationError("--act needs --run") }
        if maxLineBytes < 1024 { throw ValidationError("--max-line-bytes must be at least 1024") }
        if events.isEmpty, otlp.isEmpty, prometheus == nil, !intake {
            throw ValidationError("give telemetry: --intake, --events, --otlp or --prometheus")
        }
        if intake, runID == nil { throw ValidationError("--intake needs --run (the run's agent and versions)") }
        if events.filter({ $0 == "-" }).count > 1 { throw ValidationError("stdin (-) can be read once") }
        if let at, Timestamp.parse(at) == nil { throw ValidationError("--at '\(at)' is not an RFC 3339 time") }
        if let statsd, !ConfigValue.address.accepts(statsd) || Int(statsd.split(separator: ":").last ?? "") == nil {
            throw ValidationError("--statsd '\(statsd)' is not host:port")
        }
    }

    func request(ledger: LedgerOptions, ci: CIOptions) -> LookRequest {
        var request = LookRequest(
            runId: runID, baselineVersion: baselineVersion, candidateVersion: candidateVersion, policyPath: policy,
            sources: events.map { SourceSpec(path: $0, format: .native) }
                + otlp.map { SourceSpec(path: $0, format: .otlp) },
            prometheusURL: prometheus, at: at.flatMap(Timestamp.parse).map { Date(timeIntervalSince1970: $0) },
            outputPath: output, reportPath: report, metricsPath: metricsFile, act: act, deployOutDir: outDir,
            stage: .invocation(tool: "monitor", ledger: ledger, ci: ci))
        request.agentName = agent
        request.intake = intake
        request.maxLineBytes = maxLineBytes
        request.notifyTimeout = notify.timeout
        request.reportURL = notify.resolvedReportURL
        request.statsd = statsd
        return request
    }

    func show(_ outcome: LookOutcome) throws {
        try Self.show(outcome, json: json, output: output)
    }

    /// Prints a look's warnings, workflow commands and summary (or, with `json`, its artifact).
    static func show(_ outcome: LookOutcome, json: Bool, output: String) throws {
        for warning in outcome.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        for command in outcome.workflowCommands { ToolRunner.printResult(command) }
        ToolRunner.printResult(json ? try outcome.artifactJSON() : outcome.summary(artifactPath: output))
    }
}

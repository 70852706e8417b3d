import Analysis
import AnalysisCore
import ArgumentParser
import Artifacts
import CIOutput
import CommandSupport
import Foundation
import Ledger
import Synchronization
import Telemetry

@main
struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Judge a canary from agent telemetry: promote, continue, hold or roll back, with the evidence.",
        discussion: """
            Exit status: 0 promote, continue or hold; 1 rollback (and watch's timeout); 64 usage error; 65 bad \
            input (malformed telemetry, an unknown version, a query Prometheus refuses); 66 missing file, run or \
            look; 69 Prometheus unavailable; 70 internal error; 143 watch stopped by SIGTERM between looks.
            """,
        version: agentCanaryVersion,
        subcommands: [Analyze.self, Watch.self, Rejudge.self, LedgerCommand.self],
        defaultSubcommand: Analyze.self)
}

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
        if events.isEmpty, otlp.isEmpty, prometheus == nil {
            throw ValidationError("give telemetry: --events, --otlp or --prometheus")
        }
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
            ci: ci.destinations, ledgerPath: ledger.path, arguments: Array(CommandLine.arguments.dropFirst()),
            environment: ProcessInfo.processInfo.environment)
        request.agentName = agent
        request.maxLineBytes = maxLineBytes
        request.notifyTimeout = notify.timeout
        request.reportURL = notify.resolvedReportURL
        request.statsd = statsd
        return request
    }

    func show(_ outcome: LookOutcome) throws {
        for warning in outcome.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        for command in outcome.workflowCommands { ToolRunner.printResult(command) }
        if json {
            ToolRunner.printResult(String(decoding: try ArtifactCoding.encode(outcome.artifact), as: UTF8.self))
        } else {
            var text = CIRenderer.markdown(AnalysisCIReport.make(outcome.artifact, artifactPath: output))
            if let action = outcome.action { text += "\n**Acted:** \(action)\n" }
            if !outcome.notifications.isEmpty {
                text += "\n**Notified:**\n" + outcome.notifications.map { "- \($0)\n" }.joined()
            }
            ToolRunner.printResult(text)
        }
    }
}

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Take one look: read telemetry, judge, record.")
    @OptionGroup var look: LookOptions
    @OptionGroup var ci: CIOptions
    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        try ToolRunner.run {
            let outcome = try Monitor(logger: ToolRunner.logger(label: "monitor")).analyze(
                look.request(ledger: ledger, ci: ci))
            try look.show(outcome)
            return outcome.exitStatus
        }
    }
}

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Look again every interval until a terminal decision or the timeout.",
        discussion: """
            Stops after a rollback, a promotion (with --act: once the rollout is promoted; without: at the first \
            promote decision), or when the rollout ends. Exit 1 on timeout. SIGTERM lets the look in progress \
            finish and stops before the next (exit 143).
            """)
    @OptionGroup var look: LookOptions
    @Option(help: ArgumentHelp("Time between looks (30s, 1m, 1h).", valueName: "duration")) var interval = "1m"
    @Option(help: ArgumentHelp("Give up after this long (exit 1).", valueName: "duration")) var timeout = "2h"
    @OptionGroup var ci: CIOptions
    @OptionGroup var ledger: LedgerOptions

    func validate() throws {
        guard look.runID != nil else { throw ValidationError("watch needs --run") }
        guard let every = Self.seconds(interval), every > 0 else {
            throw ValidationError("--interval '\(interval)' is not a duration such as 30s, 5m or 1h")
        }
        guard Self.seconds(timeout) != nil else {
            throw ValidationError("--timeout '\(timeout)' is not a duration such as 30m or 2h")
        }
    }

    static func seconds(_ text: String) -> Double? {
        var total = 0.0
        var digits = ""
        for character in text {
            if character.isNumber || character == "." {
                digits.append(character)
                continue
            }
            guard let value = Double(digits) else { return nil }
            switch character {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            default: return nil
            }
            digits = ""
        }
        if !digits.isEmpty {
            guard let value = Double(digits) else { return nil }
            total += value
        }
        return total
    }

    func run() throws {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let stop = StopFlag()
        let queue = DispatchQueue(label: "monitor.signals")
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { stop.set() }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        let every = Self.seconds(interval) ?? 60
        let deadline = Date().addingTimeInterval(Self.seconds(timeout) ?? 7200)
        try ToolRunner.run {
            let monitor = Monitor(logger: ToolRunner.logger(label: "monitor"))
            var looks = 0
            while true {
                if stop.isSet {
                    FileHandle.standardError.write(
                        Data("monitor watch: stopped by signal after \(looks) look(s)\n".utf8))
                    return ExitStatus.stoppedBySignal.rawValue
                }
                let outcome = try monitor.analyze(look.request(ledger: ledger, ci: ci))
                looks += 1
                try look.show(outcome)
                let decision = outcome.artifact.decision
                if decision == .rollback { return ExitStatus.stop.rawValue }
                if decision == .promote {
                    if !look.act { return ExitStatus.proceed.rawValue }
                    if outcome.action?.hasPrefix("promote") == true { return ExitStatus.proceed.rawValue }
                }
                if outcome.action == nil, decision == .promote || decision == .rollback {
                    return ExitStatus.proceed.rawValue
                }
                if Date().addingTimeInterval(every) > deadline {
                    FileHandle.standardError.write(
                        Data("monitor watch: timed out after \(looks) look(s) without a final decision\n".utf8))
                    return ExitStatus.stop.rawValue
                }
                let wake = Date().addingTimeInterval(every)
                while Date() < wake, !stop.isSet { Thread.sleep(forTimeInterval: min(0.2, wake.timeIntervalSinceNow)) }
            }
        }
    }
}

/// Set by the signal handler's queue, read by the watch loop.
final class StopFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

struct Rejudge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute a stored look from the ledger; exit 0 when the result is identical, 70 when not.")
    @Option(help: ArgumentHelp("The look's id (analysis.json's look_id).", valueName: "id")) var look: Int64
    @Flag(help: "Print the recomputed judgement as JSON.") var json = false
    @OptionGroup var ledger: LedgerOptions

    func run() throws {
        try ToolRunner.run {
            let (stored, recomputed, row) = try Monitor(logger: ToolRunner.logger(label: "monitor"))
                .rejudge(lookId: look, ledgerPath: ledger.path)
            if json {
                ToolRunner.printResult(String(decoding: try ArtifactCoding.encode(recomputed), as: UTF8.self))
            }
            guard stored == recomputed else {
                ToolRunner.printError(
                    "look \(look): recomputed decision \(recomputed.decision.rawValue) differs from the stored "
                        + "\(stored.decision.rawValue) (or its metrics differ)")
                return ExitStatus.software.rawValue
            }
            if !json {
                ToolRunner.printResult(
                    "look \(look) (\(row.createdAt), run \(row.runId ?? "none")): \(recomputed.decision.rawValue) — "
                        + "identical to the stored judgement (\(recomputed.metrics.count) metrics)")
            }
            return ExitStatus.proceed.rawValue
        }
    }
}

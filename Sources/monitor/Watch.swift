import Analysis
import AnalysisCore
import ArgumentParser
import Artifacts
import CommandSupport
import Foundation
import Stages
import ToolContract

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Look again every interval until a terminal decision or the timeout.",
        discussion: """
            Stops after a rollback, a promotion (with --act: once the rollout is promoted; without: at the first \
            promote decision), or when the rollout ends. Exit 1 on timeout. SIGTERM or SIGINT lets the look in \
            progress finish and stops before the next (exit 143).
            """)
    @OptionGroup var look: LookOptions
    @Option(help: ArgumentHelp("Time between looks (30s, 1m, 1h).", valueName: "duration")) var interval = "1m"
    @Option(help: ArgumentHelp("Give up after this long (exit 1).", valueName: "duration")) var timeout = "2h"
    @OptionGroup var ci: CIOptions
    @OptionGroup var ledger: LedgerOptions

    func validate() throws {
        guard look.runID != nil else { throw ValidationError("watch needs --run") }
        guard let every = DurationArgument.parse(interval), every > .zero else {
            throw ValidationError("--interval '\(interval)' is not a duration such as 30s, 5m or 1h")
        }
        guard DurationArgument.parse(timeout) != nil else {
            throw ValidationError("--timeout '\(timeout)' is not a duration such as 30m or 2h")
        }
    }

    func run() async throws {
        let logger = ToolRunner.logger(label: "monitor")
        let request = look.request(ledger: ledger, ci: ci)
        let (json, output) = (look.json, look.output)
        let service = WatchService(
            interval: DurationArgument.parse(interval) ?? .seconds(60),
            timeout: DurationArgument.parse(timeout) ?? .seconds(7200), acting: look.act, clock: ContinuousClock()
        ) {
            let outcome = try MonitorStage.run(request)
            try LookOptions.show(outcome, json: json, output: output)
            return WatchService.Step(decision: outcome.artifact.judgement.decision, action: outcome.action)
        }
        try await ToolRunner.run {
            let ending = try await service.watch(logger: logger)
            if let message = ending.message { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            return ending.exitStatus.rawValue
        }
    }
}

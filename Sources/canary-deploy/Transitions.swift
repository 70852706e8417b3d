import ArgumentParser
import CommandSupport
import Rollout

/// `--analysis FILE` or `--force --reason TEXT`.
struct Evidence: ParsableArguments {
    @Option(help: ArgumentHelp("The monitor's analysis.json, recorded in the ledger.", valueName: "file"))
    var analysis: String?
    @Flag(help: "Act without a monitor decision (needs --reason; recorded as forced).")
    var force = false
    @Option(help: "Why.")
    var reason: String?

    func validate() throws {
        switch (analysis, force) {
        case (nil, false): throw ValidationError("Pass --analysis FILE, or --force --reason TEXT.")
        case (.some, true): throw ValidationError("Pass either --analysis or --force, not both.")
        case (nil, true) where (reason ?? "").isEmpty: throw ValidationError("--force needs --reason.")
        default: break
        }
    }
}

struct Advance: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Move to the next weighted step.")
    @Option(name: .customLong("run"), help: "The run (default: the latest rollout).") var runID: String?
    @OptionGroup var evidence: Evidence
    @OptionGroup var options: DeployOptions

    func run() throws {
        try DeployPrinter.run { deploy in
            try deploy.transition(
                .advance, runId: runID, analysisPath: evidence.analysis, force: evidence.force,
                reason: evidence.reason, context: options.context)
        }
    }
}

struct Promote: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send every new conversation to the candidate; the baseline's pins drain until the deadline.")
    @Option(name: .customLong("run"), help: "The run (default: the latest rollout).") var runID: String?
    @OptionGroup var evidence: Evidence
    @OptionGroup var options: DeployOptions

    func run() throws {
        try DeployPrinter.run { deploy in
            try deploy.transition(
                .promote, runId: runID, analysisPath: evidence.analysis, force: evidence.force,
                reason: evidence.reason, context: options.context)
        }
    }
}

struct Rollback: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send every new conversation to the baseline; the candidate's pins drain until the deadline.")
    @Option(name: .customLong("run"), help: "The run (default: the latest rollout).") var runID: String?
    @Option(help: "Why.") var reason: String
    @OptionGroup var options: DeployOptions

    func run() throws {
        try DeployPrinter.run { deploy in
            try deploy.transition(
                .rollback, runId: runID, analysisPath: nil, force: false, reason: reason, context: options.context)
        }
    }
}

struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Hold the current weight.")
    @Option(name: .customLong("run"), help: "The run (default: the latest rollout).") var runID: String?
    @Option(help: "Why.") var reason: String?
    @OptionGroup var options: DeployOptions

    func run() throws {
        try DeployPrinter.run { deploy in
            try deploy.transition(
                .pause, runId: runID, analysisPath: nil, force: false, reason: reason, context: options.context)
        }
    }
}

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Resume a paused rollout at its step.")
    @Option(name: .customLong("run"), help: "The run (default: the latest rollout).") var runID: String?
    @Option(help: "Why.") var reason: String?
    @OptionGroup var options: DeployOptions

    func run() throws {
        try DeployPrinter.run { deploy in
            try deploy.transition(
                .resume, runId: runID, analysisPath: nil, force: false, reason: reason, context: options.context)
        }
    }
}

struct Reconcile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render the current state again (drain routes past their deadline are dropped) and apply it.")
    @Option(name: .customLong("run"), help: "The run (default: the latest rollout).") var runID: String?
    @OptionGroup var options: DeployOptions

    func run() throws {
        try DeployPrinter.run { deploy in try deploy.reconcile(runId: runID, context: options.context) }
    }
}

import ArgumentParser
import CommandSupport
import Rollout
import Stages
import Vocabulary

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
    @OptionGroup var target: RunOption
    @OptionGroup var evidence: Evidence
    @OptionGroup var options: DeployOptions

    func run() throws {
        try DeployPrinter.transition(.advance, run: target.runID, evidence: evidence, options: options)
    }
}

struct Promote: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send every new conversation to the candidate; the baseline's pins drain until the deadline.")
    @OptionGroup var target: RunOption
    @OptionGroup var evidence: Evidence
    @OptionGroup var options: DeployOptions

    func run() throws {
        try DeployPrinter.transition(.promote, run: target.runID, evidence: evidence, options: options)
    }
}

struct Rollback: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send every new conversation to the baseline; the candidate's pins drain until the deadline.")
    @OptionGroup var target: RunOption
    @Option(help: "Why.") var reason: String
    @OptionGroup var options: DeployOptions

    func run() throws {
        try DeployPrinter.transition(.rollback, run: target.runID, reason: reason, options: options)
    }
}

struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Hold the current weight.")
    @OptionGroup var target: RunOption
    @Option(help: "Why.") var reason: String?
    @OptionGroup var options: DeployOptions

    func run() throws {
        try DeployPrinter.transition(.pause, run: target.runID, reason: reason, options: options)
    }
}

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Resume a paused rollout at its step.")
    @OptionGroup var target: RunOption
    @Option(help: "Why.") var reason: String?
    @OptionGroup var options: DeployOptions

    func run() throws {
        try DeployPrinter.transition(.resume, run: target.runID, reason: reason, options: options)
    }
}

struct Reconcile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render the current state again (drain routes past their deadline are dropped) and apply it.")
    @OptionGroup var target: RunOption
    @OptionGroup var options: DeployOptions

    func run() throws {
        try DeployPrinter.run { deploy in try deploy.reconcile(runId: target.runID, context: options.context) }
    }
}

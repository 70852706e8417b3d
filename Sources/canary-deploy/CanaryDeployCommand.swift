import ArgumentParser
import CommandSupport
import ToolContract

@main
struct CanaryDeployCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "canary-deploy",
        abstract: "Move a candidate agent through weighted canary steps, conversation-sticky, with routing config.",
        discussion: """
            Exit status: 0 done, 1 refused for lack of evidence (no recorded passing gate, a monitor decision \
            that does not allow the step), 64 usage error or impossible transition, 65 bad input, 66 missing \
            file or rollout, 69 the --apply command failed (the transition is recorded as not applied; run the \
            same command again to retry), 70 internal error.
            """,
        version: agentCanaryVersion,
        subcommands: [
            Start.self, Status.self, Advance.self, Promote.self, Rollback.self, Pause.self, Resume.self,
            Reconcile.self, Render.self, Plan.self, LedgerCommand.self,
        ])
}

import ArgumentParser
import CIOutput
import Foundation
import Ledger

/// `--ledger PATH`, shared by every tool.
package struct LedgerOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The run ledger (SQLite). Default: $AGENT_CANARY_LEDGER, else .agent-canary/ledger.sqlite.",
            valueName: "path"))
    package var ledger: String?

    package init() {}

    /// The ledger path in force.
    package var path: String {
        Ledger.resolvePath(flag: ledger, environment: ProcessInfo.processInfo.environment)
    }
}

/// The CI report files every tool can write.
package struct CIOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Write a JUnit XML report (Jenkins, GitLab).", valueName: "path"))
    package var junit: String?

    @Option(name: .long, help: ArgumentHelp("Write the markdown summary.", valueName: "path"))
    package var summary: String?

    @Option(name: .long, help: ArgumentHelp("Write a GitLab dotenv report (AGENT_CANARY_*).", valueName: "path"))
    package var dotenv: String?

    package init() {}

    /// The destinations these flags name.
    package var destinations: CIDestinations {
        CIDestinations(junitPath: junit, summaryPath: summary, dotenvPath: dotenv)
    }
}

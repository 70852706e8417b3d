import ArgumentParser
import CIOutput
import Foundation
import RunLedger

/// `--ledger PATH|URL`, shared by every tool.
package struct LedgerOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The run ledger: a SQLite file, or a postgresql:// URL (the password from the URL, PGPASSWORD or "
                + "~/.pgpass). Default: $AGENT_CANARY_LEDGER, else .agent-canary/ledger.sqlite.",
            valueName: "path|url"))
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

/// How the policy's `notify:` targets are told (monitor and canary-deploy).
package struct NotifyOptions: ParsableArguments {
    @Option(
        name: .customLong("notify-timeout"),
        help: ArgumentHelp(
            "The most one notification may take, its retries included; a slow receiver never delays more.",
            valueName: "seconds"))
    package var timeout: Double = 10

    @Option(
        name: .customLong("report-url"),
        help: ArgumentHelp(
            "The report notifications link to (the CI run's page, the HTML report); default $AGENT_CANARY_REPORT_URL.",
            valueName: "url"))
    package var reportURL: String?

    /// `--report-url`, else `$AGENT_CANARY_REPORT_URL` (the pipelines set it to the CI run's page).
    package var resolvedReportURL: String? {
        reportURL ?? ProcessInfo.processInfo.environment["AGENT_CANARY_REPORT_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    package init() {}

    package func validate() throws {
        guard timeout.isFinite, timeout > 0, timeout <= 600 else {
            throw ValidationError("--notify-timeout must be more than 0 and at most 600 seconds")
        }
    }
}

/// What a tool tells the CI system about one invocation, independent of the CI system.
///
/// Every tool builds one report; ``CIPublisher`` turns it into `$GITHUB_OUTPUT`, a step summary,
/// annotations, a GitLab dotenv file and a JUnit report.
package struct CIReport: Sendable, Equatable {
    /// The tool's name; the JUnit suite is named after it.
    package var tool: String
    /// The summary's heading.
    package var title: String
    /// One sentence under the heading.
    package var headline: String
    /// Step outputs, in order (`verdict`, `run_id`, …). Keys are lower-case words joined by `_`.
    package var outputs: [CIOutputValue]
    /// The criteria, one JUnit test case each.
    package var checks: [CICheck]
    /// The markdown table of the summary.
    package var table: CITable
    /// Further markdown sections of the summary (per-category tables, notes).
    package var sections: [CISection]
    /// Annotations for the CI page.
    package var annotations: [CIAnnotation]

    /// Makes a report.
    package init(
        tool: String, title: String, headline: String, outputs: [CIOutputValue], checks: [CICheck],
        table: CITable, sections: [CISection] = [], annotations: [CIAnnotation] = []
    ) {
        self.tool = tool
        self.title = title
        self.headline = headline
        self.outputs = outputs
        self.checks = checks
        self.table = table
        self.sections = sections
        self.annotations = annotations
    }
}

/// One named step output.
package struct CIOutputValue: Sendable, Equatable {
    /// The key, for example `verdict`.
    package var key: String
    /// The value; may span lines (GitHub only: GitLab's dotenv takes single lines).
    package var value: String

    /// Makes an output.
    package init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// One criterion, reported as a JUnit test case.
package struct CICheck: Sendable, Equatable {
    /// How a criterion ended.
    package enum Outcome: String, Sendable, Equatable {
        case passed
        case failed
        case skipped
    }

    /// The test case name, for example `success_rate`.
    package var name: String
    /// The JUnit class name, for example `benchmark-gate.overall`.
    package var group: String
    /// The outcome.
    package var outcome: Outcome
    /// One line saying why (the failure or skip message).
    package var message: String
    /// The failure type, for example `fail` or `inconclusive`.
    package var kind: String
    /// Longer text for the test case's body.
    package var detail: String

    /// Makes a check.
    package init(name: String, group: String, outcome: Outcome, message: String, kind: String, detail: String) {
        self.name = name
        self.group = group
        self.outcome = outcome
        self.message = message
        self.kind = kind
        self.detail = detail
    }
}

/// A markdown table.
package struct CITable: Sendable, Equatable {
    /// Column headings.
    package var header: [String]
    /// Rows of cells.
    package var rows: [[String]]

    /// Makes a table.
    package init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }
}

/// A titled section of the summary.
package struct CISection: Sendable, Equatable {
    /// The section's heading.
    package var title: String
    /// Its table, if any.
    package var table: CITable?
    /// Its lines of text (markdown), after the table.
    package var lines: [String]

    /// Makes a section.
    package init(title: String, table: CITable? = nil, lines: [String] = []) {
        self.title = title
        self.table = table
        self.lines = lines
    }
}

/// An annotation on the CI page.
package struct CIAnnotation: Sendable, Equatable {
    /// Severity.
    package enum Level: String, Sendable {
        case error
        case warning
        case notice
    }

    /// Severity.
    package var level: Level
    /// A short title.
    package var title: String
    /// The message.
    package var message: String

    /// Makes an annotation.
    package init(level: Level, title: String, message: String) {
        self.level = level
        self.title = title
        self.message = message
    }
}

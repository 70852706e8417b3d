import Foundation

/// Renders a ``CIReport`` in the formats CI systems read.
package enum CIRenderer {
    /// The step summary in GitHub-flavoured markdown.
    package static func markdown(_ report: CIReport) -> String {
        var lines = ["## \(singleLine(report.title))", "", singleLine(report.headline), ""]
        lines += table(report.table)
        for section in report.sections {
            lines += ["", "### \(singleLine(section.title))", ""]
            if let sectionTable = section.table { lines += table(sectionTable) }
            if !section.lines.isEmpty {
                if section.table != nil { lines.append("") }
                lines += section.lines.map(singleLine)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The lines of a markdown table.
    package static func table(_ table: CITable) -> [String] {
        func row(_ cells: [String]) -> String {
            "| " + cells.map(cell).joined(separator: " | ") + " |"
        }
        return [row(table.header), "|" + table.header.map { _ in "---|" }.joined()] + table.rows.map(row)
    }

    /// A table cell's text: `|` escaped, and a line break (which would end the row) as `<br>`.
    static func cell(_ text: String) -> String {
        singleLine(text.replacingOccurrences(of: "|", with: "\\|"))
    }

    /// A line of the summary: a line break inside a value (which would let the rest of it write the summary's
    /// own markdown) as `<br>`.
    static func singleLine(_ text: String) -> String {
        guard text.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return text.replacingOccurrences(of: "\r\n", with: "<br>").replacingOccurrences(of: "\n", with: "<br>")
            .replacingOccurrences(of: "\r", with: "<br>")
    }

    /// A JUnit XML report with one test case per check, valid for the JUnit schema Jenkins uses.
    package static func junit(_ report: CIReport) -> String {
        let failures = report.checks.filter { $0.outcome == .failed }.count
        let skipped = report.checks.filter { $0.outcome == .skipped }.count
        // The JUnit schema Jenkins uses allows `skipped` on a test suite, not on the test suites around it.
        let counts = "tests=\"\(report.checks.count)\" failures=\"\(failures)\" errors=\"0\""
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<testsuites name=\"\(xml(report.tool))\" \(counts) time=\"0\">",
            "  <testsuite name=\"\(xml(report.tool))\" \(counts) skipped=\"\(skipped)\" time=\"0\">",
        ]
        for check in report.checks {
            let open = "    <testcase name=\"\(xml(check.name))\" classname=\"\(xml(check.group))\" time=\"0\""
            switch check.outcome {
            case .passed:
                lines.append(open + ">")
                if !check.detail.isEmpty { lines.append("      <system-out>\(xml(check.detail))</system-out>") }
                lines.append("    </testcase>")
            case .failed:
                lines.append(open + ">")
                lines.append(
                    "      <failure type=\"\(xml(check.kind))\" message=\"\(xml(check.message))\">\(xml(check.detail))</failure>"
                )
                lines.append("    </testcase>")
            case .skipped:
                lines.append(open + ">")
                lines.append("      <skipped type=\"\(xml(check.kind))\" message=\"\(xml(check.message))\"/>")
                if !check.detail.isEmpty { lines.append("      <system-out>\(xml(check.detail))</system-out>") }
                lines.append("    </testcase>")
            }
        }
        lines += ["  </testsuite>", "</testsuites>"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A GitLab dotenv report: `AGENT_CANARY_<KEY>=value`, one line each, multi-line values left out.
    ///
    /// GitLab takes single-line values only and at most 5 KB in all; a value that would break either rule
    /// is reported in the returned `skipped` list instead of being written truncated.
    package static func dotenv(_ report: CIReport) -> (text: String, skipped: [String]) {
        var lines: [String] = []
        var skipped: [String] = []
        var size = 0
        for output in report.outputs {
            let line = "AGENT_CANARY_\(output.key.uppercased())=\(output.value)"
            if output.value.contains("\n") || output.value.contains("\r") || size + line.utf8.count + 1 > 5 * 1024 {
                skipped.append(output.key)
                continue
            }
            size += line.utf8.count + 1
            lines.append(line)
        }
        return (lines.map { $0 + "\n" }.joined(), skipped)
    }

    /// Lines for `$GITHUB_OUTPUT`; a multi-line value uses a heredoc with `delimiter`.
    package static func githubOutput(_ report: CIReport, delimiter: String) -> String {
        report.outputs.map { output in
            if output.value.contains("\n") || output.value.contains("\r") {
                return "\(output.key)<<\(delimiter)\n\(output.value)\n\(delimiter)\n"
            }
            return "\(output.key)=\(output.value)\n"
        }.joined()
    }

    /// GitHub workflow commands (`::error title=…::message`), escaped as the runner expects.
    package static func githubAnnotations(_ report: CIReport) -> [String] {
        WorkflowCommands.issue(
            report.annotations.map { annotation in
                "::\(annotation.level.rawValue) title=\(escapeProperty(annotation.title))::\(escapeData(annotation.message))"
            })
    }

    static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    static func xml(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\n": escaped += "&#10;"
            case "\t", "\r": escaped += "&#\(scalar.value);"
            default:
                // XML 1.0 forbids most control characters even as references.
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    escaped += "?"
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }
}

import CIOutput

extension CIReport {
    /// Adds how the notifications went: a section with one line per target, and a warning annotation for each
    /// that did not arrive (the summary, `$GITHUB_STEP_SUMMARY` and the annotations show them).
    package mutating func add(notifications reports: [DeliveryReport]) {
        guard !reports.isEmpty else { return }
        sections.append(CISection(title: "Notifications", lines: reports.map { "- \($0.text)" }))
        for report in reports where !report.delivered {
            annotations.append(CIAnnotation(level: .warning, title: "Notification not delivered", message: report.text))
        }
    }
}

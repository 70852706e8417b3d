/// What the monitor does with a telemetry record it cannot read (`monitor.malformed`) or whose version is
/// neither arm (`monitor.unknown_versions`).
package enum RecordHandling: String, Codable, Sendable, CaseIterable {
    /// Stop the look with exit status 65, naming the file, line and field.
    case fail
    /// Count the record, report it, and go on without it.
    case skip
}

/// What a category's regression does to a gate (`gate.categories.on_regression`).
package enum RegressionHandling: String, Codable, Sendable, CaseIterable {
    /// The gate fails.
    case fail
    /// The gate passes with a warning.
    case warn
}

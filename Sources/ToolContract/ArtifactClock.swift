import Foundation

/// The time written into artifacts and ledger rows.
///
/// `SOURCE_DATE_EPOCH` (seconds since 1970, the reproducible-builds convention) fixes it, so golden files
/// and re-runs produce identical bytes.
package enum ArtifactClock {
    /// The current time, or the time `SOURCE_DATE_EPOCH` fixes.
    package static func now(environment: [String: String] = ProcessInfo.processInfo.environment) -> Date {
        if let epoch = environment["SOURCE_DATE_EPOCH"], let seconds = TimeInterval(epoch) {
            return Date(timeIntervalSince1970: seconds)
        }
        return Date()
    }

    /// Formats a date as ISO-8601 UTC with whole seconds, for example `2026-11-26T15:02:07Z`.
    package static func iso8601(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T"
            + "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2))Z"
    }
}

import Foundation
import Synchronization

/// Lets a repeated warning through at most once per interval per key, so that a fleet sending the same bad
/// telemetry at its full rate says so in the log without flooding it.
final class LogThrottle: Sendable {
    private let interval: TimeInterval
    private let last = Mutex<[String: Date]>([:])

    /// A throttle that admits each key once per `interval` seconds.
    init(interval: TimeInterval) {
        self.interval = interval
    }

    /// Whether a warning under `key` may be logged now (and, if so, starts its interval).
    func admits(_ key: String, now: Date = Date()) -> Bool {
        last.withLock { seen in
            if let previous = seen[key], now.timeIntervalSince(previous) < interval { return false }
            seen[key] = now
            return true
        }
    }
}

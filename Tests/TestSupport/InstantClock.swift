import Synchronization

/// A clock whose sleeps return at once, moving its time to their deadline: a loop on an injected clock runs
/// through hours of intervals at once, in the order a real clock would give them.
package final class InstantClock: Clock, Sendable {
    package struct Instant: InstantProtocol, Hashable, Sendable {
        /// The time since the clock was made.
        package var offset: Duration

        package func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        package func duration(to other: Instant) -> Duration { other.offset - offset }
        package static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let current = Mutex(Instant(offset: .zero))

    package init() {}

    package var now: Instant { current.withLock { $0 } }
    package var minimumResolution: Duration { .nanoseconds(1) }

    package func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        current.withLock { $0 = max($0, deadline) }
    }
}

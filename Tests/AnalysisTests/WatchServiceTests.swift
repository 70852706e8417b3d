import Analysis
import AnalysisCore
import CommandSupport
import ServiceLifecycleTestKit
import Synchronization
import TestSupport
import Testing
import ToolContract
import Vocabulary

/// `monitor watch`'s loop as a service, on an injected clock: its stopping rules, its timeout and its graceful
/// shutdown, without waiting. (`MonitorEndToEndTests` runs the binary with a real clock and SIGTERM.)
@Suite("monitor watch as a service")
struct WatchServiceTests {
    /// A watch whose looks give `steps` in turn (the last one again once they run out), counting them.
    static func watch(
        _ steps: [WatchService<InstantClock>.Step], acting: Bool = false, interval: Duration = .seconds(60),
        timeout: Duration = .seconds(300), during: (@Sendable (Int) -> Void)? = nil
    ) -> (WatchService<InstantClock>, InstantClock, Counter) {
        let clock = InstantClock()
        let looks = Counter()
        let service = WatchService(interval: interval, timeout: timeout, acting: acting, clock: clock) {
            let index = looks.next()
            during?(index)
            return steps[min(index, steps.count) - 1]
        }
        return (service, clock, looks)
    }

    /// Counts the looks taken.
    final class Counter: Sendable {
        private let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
        func next() -> Int {
            count.withLock { count in
                count += 1
                return count
            }
        }
    }

    static let keepGoing = WatchService<InstantClock>.Step(decision: .continue, action: nil)

    @Test("without a final decision it looks every interval and times out at the deadline, exit 1")
    func timesOut() async throws {
        let (service, clock, looks) = Self.watch([Self.keepGoing])
        try await service.run()
        // Looks at 0, 1, 2, 3, 4 and 5 minutes; a seventh would start after the 5-minute timeout.
        #expect(service.ending == .timedOut(looks: 6))
        #expect(looks.value == 6)
        #expect(clock.now.offset == .seconds(300))
        #expect(service.ending?.exitStatus == .stop)
        #expect(service.ending?.message == "monitor watch: timed out after 6 look(s) without a final decision")
    }

    @Test("a rollback stops at once (exit 1); a promotion proceeds (exit 0), when acting only once promoted")
    func stoppingRules() async throws {
        let (rollback, _, _) = Self.watch([Self.keepGoing, Self.keepGoing, .init(decision: .rollback, action: nil)])
        try await rollback.run()
        #expect(rollback.ending == .decided(.stop, looks: 3))

        let (promote, _, _) = Self.watch([.init(decision: .promote, action: nil)])
        try await promote.run()
        #expect(promote.ending == .decided(.proceed, looks: 1))

        // Acting, each step's promote decision advances the rollout; the watch ends with the promotion.
        let steps: [WatchService<InstantClock>.Step] = [
            .init(decision: .promote, action: "advance: now progressing at 25 %"),
            .init(decision: .hold, action: nil),
            .init(decision: .promote, action: "advance: now progressing at 50 %"),
            .init(decision: .promote, action: "promote: now promoted at 100 %"),
        ]
        let (acting, _, _) = Self.watch(steps, acting: true)
        try await acting.run()
        #expect(acting.ending == .decided(.proceed, looks: 4))
        #expect(acting.ending?.exitStatus == .proceed && acting.ending?.message == nil)
    }

    @Test("a graceful shutdown lets the look in progress finish and starts no other, exit 143")
    func gracefulShutdown() async throws {
        try await testGracefulShutdown { trigger in
            let (service, _, looks) = Self.watch([Self.keepGoing], timeout: .seconds(3600)) { look in
                if look == 2 { trigger.triggerGracefulShutdown() }
            }
            try await service.run()
            #expect(service.ending == .stopped(looks: 2))
            #expect(looks.value == 2)
            #expect(service.ending?.exitStatus == .stoppedBySignal)
        }
    }

    @Test("a look that fails ends the watch with its error")
    func failingLook() async {
        struct Unreachable: Error {}
        let clock = InstantClock()
        let service = WatchService(interval: .seconds(1), timeout: .seconds(10), acting: false, clock: clock) {
            throw Unreachable()
        }
        await #expect(throws: Unreachable.self) { try await service.run() }
        #expect(service.ending == nil)
    }

    @Test(
        "durations on the command line",
        arguments: [
            ("30s", Duration.seconds(30)), ("5m", .seconds(300)), ("1h30m", .seconds(5400)),
            ("0.5s", .milliseconds(500)),
            ("90", .seconds(90)),
        ])
    func durations(text: String, expected: Duration) {
        #expect(DurationArgument.parse(text) == expected)
    }

    @Test("not durations", arguments: ["", "5x", "m", "1.2.3s", "-5s"])
    func notDurations(text: String) {
        #expect(DurationArgument.parse(text) == nil)
    }
}

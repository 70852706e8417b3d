import AnalysisCore
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization
import ToolContract
import UnixSignals
import Vocabulary

/// `monitor watch`: a look every interval until a final decision, the timeout or a graceful shutdown, as a
/// swift-service-lifecycle `Service`, so that it runs in a `ServiceGroup` alone or beside other services.
///
/// A graceful shutdown (SIGTERM or SIGINT in ``watch(logger:)``) lets the look in progress finish, records it,
/// and starts no other; the wait between looks ends at once. The clock is injected: tests run hours of
/// intervals at once. A look reads files and the ledger, so it runs on NIO's blocking thread pool, never on the
/// cooperative pool.
package final class WatchService<WatchClock: Clock>: Service where WatchClock.Duration == Duration {
    /// What a look decided and did, as far as watching goes on or stops.
    package struct Step: Sendable, Equatable {
        package var decision: Decision
        /// The rollout transition the look carried out (`--act`), such as `promote: now promoted at 100 %`.
        package var action: String?

        package init(decision: Decision, action: String?) {
            self.decision = decision
            self.action = action
        }
    }

    /// How watching ended.
    package enum Ending: Sendable, Equatable {
        /// A look's decision ended it, with the exit status that decision gets.
        case decided(ExitStatus, looks: Int)
        /// The timeout passed without a final decision.
        case timedOut(looks: Int)
        /// A graceful shutdown stopped it between looks.
        case stopped(looks: Int)

        /// The tool's exit status.
        package var exitStatus: ExitStatus {
            switch self {
            case .decided(let status, _): status
            case .timedOut: .stop
            case .stopped: .stoppedBySignal
            }
        }

        /// What to tell the person watching, if anything beyond the looks' own output.
        package var message: String? {
            switch self {
            case .decided: nil
            case .timedOut(let looks): "monitor watch: timed out after \(looks) look(s) without a final decision"
            case .stopped(let looks): "monitor watch: stopped by signal after \(looks) look(s)"
            }
        }
    }

    let interval: Duration
    let timeout: Duration
    /// Whether the looks carry their decisions out (`--act`): then a promotion ends watching only once the
    /// rollout is promoted, not at each step's promote decision.
    let acting: Bool
    let clock: WatchClock
    let look: @Sendable () throws -> Step
    private let result = Mutex<Ending?>(nil)

    /// A watch taking `look` every `interval` for at most `timeout` on `clock`.
    package init(
        interval: Duration, timeout: Duration, acting: Bool, clock: WatchClock,
        look: @escaping @Sendable () throws -> Step
    ) {
        self.interval = interval
        self.timeout = timeout
        self.acting = acting
        self.clock = clock
        self.look = look
    }

    /// How watching ended; `nil` while it runs, or when a look failed (``run()`` threw its error).
    package var ending: Ending? { result.withLock { $0 } }

    package func run() async throws {
        let deadline = clock.now.advanced(by: timeout)
        var looks = 0
        while !Task.isShuttingDownGracefully {
            let look = look
            let step = try await NIOThreadPool.singleton.runIfActive { try look() }
            looks += 1
            if let status = Self.finalStatus(of: step, acting: acting) {
                return finish(.decided(status, looks: looks))
            }
            if clock.now.advanced(by: interval) > deadline { return finish(.timedOut(looks: looks)) }
            do {
                let clock = clock
                let interval = interval
                try await cancelWhenGracefulShutdown { try await clock.sleep(for: interval) }
            } catch is CancellationError {
                break
            }
        }
        finish(.stopped(looks: looks))
    }

    /// The exit status of a look that ends watching, or `nil` to look again: a rollback stops (1); a
    /// promotion proceeds (0) — when acting, only the one that promoted the rollout; a promote or rollback
    /// decision that acting did not carry out (the rollout has ended) proceeds too.
    package static func finalStatus(of step: Step, acting: Bool) -> ExitStatus? {
        switch step.decision {
        case .rollback: return .stop
        case .promote where !acting || step.action == nil || step.action?.hasPrefix("promote") == true:
            return .proceed
        case .promote, .continue, .hold: return nil
        }
    }

    /// Runs this watch in a service group that shuts it down gracefully on SIGTERM or SIGINT, and returns how
    /// it ended.
    package func watch(logger: Logger) async throws -> Ending {
        // Watching ends the group when it ends (a decision, the timeout): services beside it shut down gracefully.
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: self, successTerminationBehavior: .gracefullyShutdownGroup)], logger: logger)
        configuration.gracefulShutdownSignals = [.sigterm, .sigint]
        let group = ServiceGroup(configuration: configuration)
        try await group.run()
        // The service sets its ending whenever it returns; a group stopped before it began stopped it too.
        return ending ?? .stopped(looks: 0)
    }

    private func finish(_ ending: Ending) {
        result.withLock { $0 = ending }
    }
}

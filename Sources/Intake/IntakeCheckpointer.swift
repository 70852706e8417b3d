import Logging
import NIOPosix
import RunLedger
import ServiceLifecycle

/// Checkpoints a SQLite ledger's write-ahead log on a connection of its own, every `interval`, so that little
/// is left for the checkpoint inside ``IntakeWriter``'s commits (see ``Ledger/separateCheckpoints()``). A
/// PASSIVE checkpoint waits for no one; it runs on NIO's blocking thread pool, off the cooperative pool.
struct IntakeCheckpointer: Service {
    let ledger: Ledger
    let logger: Logger
    let interval: Duration
    let clock: any Clock<Duration>

    init(ledger: Ledger, logger: Logger, interval: Duration = .milliseconds(200), clock: any Clock<Duration>) {
        self.ledger = ledger
        self.logger = logger
        self.interval = interval
        self.clock = clock
    }

    func run() async throws {
        var failing = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                _ = try await NIOThreadPool.singleton.runIfActive { [ledger] in try ledger.checkpoint() }
                if failing { logger.info("checkpoints succeed again") }
                failing = false
            } catch is CancellationError {
                return
            } catch {
                if !failing { logger.error("checkpoint failed", metadata: ["reason": "\(error)"]) }
                failing = true
            }
            let (clock, interval) = (clock, interval)
            try? await cancelWhenGracefulShutdown { try await clock.sleep(for: interval) }
        }
    }
}

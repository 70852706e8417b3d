import Foundation
import Logging
import NIOPosix
import RunLedger
import ServiceLifecycle

/// `monitor serve --retain DURATION`: deletes, every tenth of the retention (at most hourly), the intake
/// received longer ago than the retention that every open run has read (``Ledger/pruneIntake(receivedBefore:)``).
/// The deletion runs on NIO's blocking thread pool, off the cooperative pool; the wait between runs is on the
/// injected clock.
struct PruneService: Service {
    /// The ledger the intake commits to now (see ``IntakeWriter/currentLedger``).
    let ledger: @Sendable () -> Ledger
    let retain: Duration
    let logger: Logger
    let clock: any Clock<Duration>

    func run() async throws {
        // Fractions count: `--retain 0.9s` keeps 0.9 s, not 0.
        let seconds = retain / .seconds(1)
        let every = Duration.seconds(max(1, min(3600, seconds / 10)))
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let ledger = ledger()
                let deleted = try await NIOThreadPool.singleton.runIfActive {
                    try ledger.pruneIntake(receivedBefore: Date().timeIntervalSince1970 - seconds)
                }
                if deleted > 0 { logger.info("pruned intake", metadata: ["records": "\(deleted)"]) }
            } catch is CancellationError {
                return
            } catch {
                logger.error("pruning intake failed", metadata: ["reason": "\(error)"])
            }
            let clock = clock
            try? await cancelWhenGracefulShutdown { try await clock.sleep(for: every) }
        }
    }
}

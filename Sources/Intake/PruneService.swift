import Foundation
import Logging
import RunLedger
import ServiceLifecycle

/// `monitor serve --retain DURATION`: deletes, every tenth of the retention (at most hourly), the intake
/// received longer ago than the retention that every open run has read (``Ledger/pruneIntake(receivedBefore:)``).
struct PruneService: Service {
    /// The ledger the intake commits to now (see ``IntakeWriter/currentLedger``).
    let ledger: @Sendable () -> Ledger
    let retain: Duration
    let logger: Logger

    func run() async throws {
        // Fractions count: `--retain 0.9s` keeps 0.9 s, not 0.
        let seconds = retain / .seconds(1)
        let every = Duration.seconds(max(1, min(3600, seconds / 10)))
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let deleted = try ledger().pruneIntake(receivedBefore: Date().timeIntervalSince1970 - seconds)
                if deleted > 0 { logger.info("pruned intake", metadata: ["records": "\(deleted)"]) }
            } catch {
                logger.error("pruning intake failed", metadata: ["reason": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
        }
    }
}

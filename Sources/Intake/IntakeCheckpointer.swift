import Foundation
import Logging
import RunLedger

/// Checkpoints a SQLite ledger's write-ahead log on a queue and a connection of its own, every `interval`,
/// so that little is left for the checkpoint inside ``IntakeWriter``'s commits (see
/// ``Ledger/separateCheckpoints()``). A PASSIVE checkpoint waits for no one.
final class IntakeCheckpointer: @unchecked Sendable {
    private let ledger: Ledger
    private let logger: Logger
    let interval: TimeInterval
    private let queue = DispatchQueue(label: "intake-checkpoints")
    private let timer: any DispatchSourceTimer
    /// Whether the last checkpoint failed (read and written on `queue`).
    private var failing = false

    init(ledger: Ledger, logger: Logger, interval: TimeInterval = 0.2) {
        self.ledger = ledger
        self.logger = logger
        self.interval = interval
        timer = DispatchSource.makeTimerSource(queue: queue)
    }

    /// Starts checkpointing.
    func start() {
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [self] in checkpoint() }
        timer.resume()
    }

    /// Stops, and returns once a checkpoint under way has finished.
    func stop() {
        timer.cancel()
        queue.sync {}
    }

    private func checkpoint() {
        do {
            try ledger.checkpoint()
            if failing { logger.info("checkpoints succeed again") }
            failing = false
        } catch {
            if !failing { logger.error("checkpoint failed", metadata: ["reason": "\(error)"]) }
            failing = true
        }
    }
}

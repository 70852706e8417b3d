import Foundation
import Ledger
import Logging

/// Checkpoints a SQLite ledger's write-ahead log on a thread and a connection of its own, every `interval`,
/// so that little is left for the checkpoint inside ``IntakeWriter``'s commits (see
/// ``Ledger/separateCheckpoints()``). A PASSIVE checkpoint waits for no one.
final class IntakeCheckpointer: @unchecked Sendable {
    private let ledger: Ledger
    private let logger: Logger
    let interval: TimeInterval
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var stopping = false
    private var stopped = false
    private var failing = false

    init(ledger: Ledger, logger: Logger, interval: TimeInterval = 0.2) {
        self.ledger = ledger
        self.logger = logger
        self.interval = interval
    }

    /// Starts the checkpoint thread.
    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "intake-checkpoints"
        thread.start()
    }

    /// Stops the thread and returns once it has finished.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        condition.lock()
        while !stopping {
            _ = condition.wait(until: Date().addingTimeInterval(interval))
            if stopping { break }
            condition.unlock()
            checkpoint()
            condition.lock()
        }
        stopped = true
        condition.broadcast()
        condition.unlock()
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

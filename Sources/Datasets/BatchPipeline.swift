import Foundation

/// Hands batches of items from the thread that produces them to a thread that consumes them, so the two
/// stages overlap on two cores. At most ``capacity`` batches wait; the producer blocks beyond that.
// Safety: `queue`, `closed` and `failure` are read and written with `condition` locked only (a lock with a
// condition variable, which Mutex lacks: both threads sleep on it); `consume` runs on the consuming thread
// alone, and ``finish()`` waits for that thread (`done`) before the producer reads a failure.
package final class BatchPipeline<Item>: @unchecked Sendable {
    package static var batchSize: Int { 512 }
    let capacity = 8
    private let condition = NSCondition()
    private var queue: [[Item]] = []
    private var closed = false
    private var failure: (any Error)?
    private let done = DispatchSemaphore(value: 0)
    private let consume: ([Item]) throws -> Void

    /// Starts the consuming thread.
    package init(consume: @escaping ([Item]) throws -> Void) {
        self.consume = consume
        let thread = Thread { [self] in run() }
        thread.start()
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                break
            }
            let batch = queue.removeFirst()
            condition.broadcast()
            condition.unlock()
            do {
                try consume(batch)
            } catch {
                condition.lock()
                failure = error
                queue.removeAll()
                condition.broadcast()
                condition.unlock()
                break
            }
        }
        done.signal()
    }

    /// Queues a batch; `false` when the consumer has failed (stop producing).
    package func push(_ batch: [Item]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= capacity && failure == nil { condition.wait() }
        guard failure == nil else { return false }
        queue.append(batch)
        condition.broadcast()
        return true
    }

    /// Waits until every queued batch is consumed; the consumer's error, if it failed.
    package func finish() throws {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        done.wait()
        if let failure { throw failure }
    }
}

import Foundation
import Logging
import NIOCore
import Prometheus
import RunLedger
import ServiceLifecycle
import Synchronization

/// Commits the requests' records to the ledger on one thread of its own, in group commits: every batch waiting
/// when a commit ends goes into the next one transaction, so many small requests cost one commit, and a request
/// is answered only once its records are committed.
///
/// The queue is bounded: a request that would take it past `maxQueuedRecords` is refused as overloaded (429)
/// rather than held, so a slow ledger costs retries, not memory; while the ledger fails, requests are refused
/// as unavailable (503).
///
/// After a failed commit the writer finds out by itself when the ledger commits again, so that readiness comes
/// back without traffic (a load balancer sends none to a pod that is not ready): every `retryInterval` it runs
/// an empty write, and when that fails on a PostgreSQL ledger it connects anew (the server restarted, a
/// failover). A commit that fails is tried once more on a new connection; should the first attempt have
/// committed before the connection dropped, the second finds every key stored and the records count as
/// retries (the ledger is right; the live metrics miss them).
///
/// Each commit builds the traces its requests complete (``IntakeAssembler``); between commits, once a second
/// (``sweepInterval``), it builds the traces whose evaluation wait has ended, and only reads the ledger when none
/// has.
///
/// It runs as a service of `monitor serve`'s group, shut down last: the commit thread starts with the service and
/// drains when the HTTP server has answered its requests.
// Safety: every mutable field is read and written under `condition` (a lock with a condition variable, which
// Mutex lacks: the commit thread sleeps on it until a request, the retry interval or the sweep interval comes).
final class IntakeWriter: Service, @unchecked Sendable {
    /// Why a batch was not committed.
    enum Refusal: Error {
        /// The queue is full: the ledger is slower than the senders (429).
        case overloaded
        /// The ledger failed the commit, or the service is stopping (503).
        case unavailable(String)
    }

    private struct Waiting {
        var batch: IntakeBatch
        var count: Int
        var done: @Sendable (Result<IntakeOutcome, Refusal>) -> Void
    }

    /// Written on the commit thread only, under `condition`.
    private var ledger: Ledger
    private let logger: Logger
    private let metrics: IntakeMetrics
    /// Builds the traces' events inside each commit.
    private let assembler: IntakeAssembler
    /// What a sweep stored (traces whose evaluation wait ended), for the live metrics.
    private let swept: @Sendable (IntakeOutcome) -> Void
    let maxQueuedRecords: Int
    /// The room a SQLite ledger's disk needs for the service to be ready: the largest request it takes.
    let minFreeBytes: Int
    /// The most records one transaction commits.
    let maxCommitRecords = 20_000
    /// How often a failing ledger is tried again while no request comes.
    let retryInterval: TimeInterval
    /// How often the traces whose evaluation wait ended are built (``sweep()``).
    let sweepInterval: TimeInterval = 1
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var waiting = CircularBuffer<Waiting>()
    private var queued = 0
    private var stopping = false
    private var stopped = false
    private var lastFailure: String?

    init(
        ledger: Ledger, assembler: IntakeAssembler, maxQueuedRecords: Int, minFreeBytes: Int, metrics: IntakeMetrics,
        logger: Logger, retryInterval: TimeInterval = 2, swept: @escaping @Sendable (IntakeOutcome) -> Void
    ) {
        self.ledger = ledger
        self.assembler = assembler
        self.swept = swept
        self.minFreeBytes = minFreeBytes
        self.maxQueuedRecords = maxQueuedRecords
        self.retryInterval = retryInterval
        self.metrics = metrics
        self.logger = logger
    }

    /// Runs the commit thread until a graceful shutdown (or cancellation, past the drain deadline), then commits
    /// what is still queued, at most two seconds: what the ledger has not committed by then was not
    /// acknowledged, and its senders retry it. The wait is on a thread of its own, off the cooperative pool,
    /// and goes on when the group is cancelled (the drain is bounded by its own deadline).
    func run() async throws {
        start()
        try? await gracefulShutdown()
        let drained = await withCheckedContinuation { continuation in
            Thread { [self] in continuation.resume(returning: drain(within: .seconds(2))) }.start()
        }
        if drained {
            logger.info("stopped: every acknowledged request is committed")
        } else {
            logger.warning("stopped before the ledger committed the last requests: they were not acknowledged")
        }
    }

    /// Starts the commit thread.
    private func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "intake-writer"
        thread.start()
    }

    /// The ledger commits go to now (a new one after a lost PostgreSQL connection was made again).
    var currentLedger: Ledger {
        condition.lock()
        defer { condition.unlock() }
        return ledger
    }

    /// Why the service is not ready, or `nil` when it is: the last commit (or the last probe write, which
    /// writes real bytes as a commit does) failed, or the service is stopping.
    ///
    /// A SQLite ledger whose disk has less room than the largest request the server takes is not ready either:
    /// a write that fits in space its write-ahead log already holds can succeed on a full disk.
    var notReady: String? {
        condition.lock()
        let (stopping, failure, ledger) = (self.stopping, lastFailure, self.ledger)
        condition.unlock()
        if stopping { return "the service is stopping" }
        if let failure { return "the ledger does not commit (\(failure))" }
        if let free = ledger.freeBytes(), free < minFreeBytes {
            return "the ledger's disk has \(free) bytes free, less than the largest request (\(minFreeBytes))"
        }
        return nil
    }

    /// Commits `batch`: its events, and its spans (building the traces they complete); returns what the commit
    /// did.
    ///
    /// A request cancelled while it waits (the drain deadline passed) is answered as unavailable at once; its
    /// records may still commit, and a retry of them counts once.
    func commit(_ batch: IntakeBatch) async throws(Refusal) -> IntakeOutcome {
        let count = batch.recordCount
        if count == 0 { return IntakeOutcome() }
        let answer = Answer()
        let result: Result<IntakeOutcome, Refusal> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                answer.set(continuation)
                enqueue(batch, count: count) { answer.resume($0) }
            }
        } onCancel: {
            answer.resume(.failure(.unavailable("the service is stopping")))
        }
        return try result.get()
    }

    /// A continuation resumed once, by the commit or by the request's cancellation, whichever comes first.
    private final class Answer: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Result<IntakeOutcome, Refusal>, Never>?
            var early: Result<IntakeOutcome, Refusal>?
            var resumed = false
        }
        private let state = Mutex(State())

        func set(_ continuation: CheckedContinuation<Result<IntakeOutcome, Refusal>, Never>) {
            let early: Result<IntakeOutcome, Refusal>? = state.withLock {
                if let early = $0.early {
                    $0.resumed = true
                    return early
                }
                $0.continuation = continuation
                return nil
            }
            if let early { continuation.resume(returning: early) }
        }

        func resume(_ result: Result<IntakeOutcome, Refusal>) {
            let waiting: CheckedContinuation<Result<IntakeOutcome, Refusal>, Never>? = state.withLock {
                guard !$0.resumed else { return nil }
                guard let continuation = $0.continuation else {
                    // Cancelled before the continuation was made: `set` resumes it.
                    if $0.early == nil { $0.early = result }
                    return nil
                }
                $0.resumed = true
                $0.continuation = nil
                return continuation
            }
            waiting?.resume(returning: result)
        }
    }

    private func enqueue(
        _ batch: IntakeBatch, count: Int, done: @escaping @Sendable (Result<IntakeOutcome, Refusal>) -> Void
    ) {
        condition.lock()
        if stopping {
            condition.unlock()
            done(.failure(.unavailable("the service is stopping")))
            return
        }
        if let failure = lastFailure, !waiting.isEmpty {
            condition.unlock()
            done(.failure(.unavailable(failure)))
            return
        }
        if queued > 0, queued + count > maxQueuedRecords {
            condition.unlock()
            done(.failure(.overloaded))
            return
        }
        waiting.append(Waiting(batch: batch, count: count, done: done))
        queued += count
        metrics.queueDepth.set(Int64(queued))
        condition.signal()
        condition.unlock()
    }

    /// Stops taking requests and commits what is queued; returns whether the commit thread finished within
    /// `deadline` (a ledger that hangs does not hold the process: what it has not committed was not
    /// acknowledged).
    @discardableResult
    func drain(within deadline: Duration) -> Bool {
        let until = Date().addingTimeInterval(deadline / .seconds(1))
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.broadcast()
        while !stopped {
            if !condition.wait(until: until) { return stopped }
        }
        return true
    }

    private func loop() {
        var lastSweep = Date.distantPast
        while true {
            condition.lock()
            while waiting.isEmpty, !stopping {
                if lastFailure == nil {
                    if !condition.wait(until: lastSweep.addingTimeInterval(sweepInterval)), waiting.isEmpty {
                        condition.unlock()
                        sweep()
                        lastSweep = Date()
                        condition.lock()
                    }
                } else if !condition.wait(until: Date().addingTimeInterval(retryInterval)), waiting.isEmpty {
                    condition.unlock()
                    recover()
                    condition.lock()
                }
            }
            if waiting.isEmpty, stopping {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            // One transaction takes whole requests, up to maxCommitRecords (at least one request).
            var group: [Waiting] = []
            var count = 0
            while let next = waiting.first, group.isEmpty || count + next.count <= maxCommitRecords {
                group.append(waiting.removeFirst())
                count += next.count
            }
            condition.unlock()
            commit(group, count: count)
            if Date().timeIntervalSince(lastSweep) >= sweepInterval {
                sweep()
                lastSweep = Date()
            }
        }
    }

    private func commit(_ group: [Waiting], count: Int) {
        let began = ContinuousClock.now
        let result: Result<[IntakeOutcome], Refusal>
        do {
            result = .success(try store(group.map(\.batch)))
        } catch {
            result = .failure(.unavailable("the ledger did not commit: \(error)"))
        }
        metrics.commitDuration.record(ContinuousClock.now - began)
        condition.lock()
        queued -= count
        metrics.queueDepth.set(Int64(queued))
        condition.unlock()
        switch result {
        case .success: succeeded()
        case .failure(let refusal): if case .unavailable(let reason) = refusal { failed(reason) }
        }
        for (index, request) in group.enumerated() {
            request.done(result.map { $0[index] })
        }
    }

    /// Stores `batches` in one transaction; when that fails on a PostgreSQL ledger, once more on a new
    /// connection.
    private func store(_ batches: [IntakeBatch]) throws(LedgerError) -> [IntakeOutcome] {
        let receivedAt = Date().timeIntervalSince1970
        let assembler = self.assembler
        let body = { (transaction: IntakeTransaction) in
            try assembler.commit(batches, in: transaction, now: receivedAt)
        }
        do {
            return try ledger.intakeCommit(receivedAt: receivedAt, body)
        } catch {
            guard let fresh = try ledger.reconnected() else { throw error }
            replace(with: fresh)
            return try fresh.intakeCommit(receivedAt: receivedAt, body)
        }
    }

    /// Builds the traces whose wait for their evaluations has ended, in transactions of a few hundred traces,
    /// between the requests' commits; a failure is left for the next sweep (the retry of a failed commit
    /// reports the ledger).
    private func sweep() {
        let assembler = self.assembler
        var more = true
        while more {
            let now = Date().timeIntervalSince1970
            // A read first: a sweep with nothing to build takes no write lock.
            guard (try? ledger.hasReadyIntakeTraces(now: now)) == true else { return }
            do {
                let (outcome, next) = try ledger.intakeCommit(receivedAt: now) { try assembler.sweep($0, now: now) }
                swept(outcome)
                more = next
            } catch {
                logger.debug("sweep failed", metadata: ["reason": "\(error)"])
                return
            }
            condition.lock()
            let busy = !waiting.isEmpty
            condition.unlock()
            if busy { return }
        }
    }

    /// While commits fail and no request comes: whether the ledger takes a write, on a new connection if need
    /// be (PostgreSQL).
    private func recover() {
        do throws(LedgerError) {
            do {
                try ledger.checkWrites()
            } catch {
                guard let fresh = try ledger.reconnected() else { throw error }
                try fresh.checkWrites()
                replace(with: fresh)
            }
            succeeded()
        } catch {
            failed("the ledger does not take writes: \(error)")
        }
    }

    private func replace(with fresh: Ledger) {
        condition.lock()
        let lost = ledger
        ledger = fresh
        condition.unlock()
        // The lost connection closes outside the lock.
        withExtendedLifetime(lost) {}
        logger.notice("connected to the ledger again")
    }

    private func succeeded() {
        condition.lock()
        defer { condition.unlock() }
        if lastFailure != nil { logger.info("ledger commits again") }
        lastFailure = nil
    }

    private func failed(_ reason: String) {
        condition.lock()
        defer { condition.unlock() }
        if lastFailure == nil { logger.error("ledger commit failed", metadata: ["reason": "\(reason)"]) }
        lastFailure = reason
    }
}

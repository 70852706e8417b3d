import Synchronization

/// The bytes the server holds for requests in flight — bodies as they arrive, what they decompress to, and
/// their decoded records until committed — bounded as a whole, so that a slow ledger and large requests cost
/// 429s, not memory.
///
/// Records alone do not bound memory: one 8 MiB span is one record. Bytes are taken as they arrive, so a sender
/// that declares a large body and sends it slowly holds only what it sent. The oldest request in flight may
/// always take more: many large uploads at once cannot each hold a part of the bound and all be refused, one of
/// them finishes first; the bound is passed by at most that one request's bytes.
final class HeldBytes: Sendable {
    let limit: Int
    private struct State {
        var held = 0
        /// The requests in flight, by the order they began.
        var active = Set<Int>()
        var next = 0
    }
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = limit
    }

    /// The bytes held now.
    var current: Int {
        state.withLock { $0.held }
    }

    /// A number for a request that begins now.
    func begin() -> Int {
        state.withLock {
            $0.next += 1
            $0.active.insert($0.next)
            return $0.next
        }
    }

    /// Takes `count` bytes out of the bound for request `ticket`; `false` (taking nothing) when they do not fit
    /// and the request is not the oldest in flight.
    func reserve(_ count: Int, for ticket: Int) -> Bool {
        state.withLock {
            guard $0.held + count <= limit || ticket == $0.active.min() else { return false }
            $0.held += count
            return true
        }
    }

    /// Gives back `count` bytes request `ticket` took, and ends it.
    func end(_ ticket: Int, releasing count: Int) {
        state.withLock {
            $0.held -= count
            $0.active.remove(ticket)
        }
    }
}

/// The bytes one request has taken from ``HeldBytes``, given back together when the request is answered.
///
/// One request's body is read by one task at a time, so its own count needs no lock.
// Safety: `taken` and `ended` are touched only by the task that reads and answers the request.
final class HeldRequest: @unchecked Sendable {
    private let budget: HeldBytes
    private let ticket: Int
    private var taken = 0
    private var ended = false

    init(budget: HeldBytes) {
        self.budget = budget
        ticket = budget.begin()
    }

    /// Takes `count` more bytes for this request; `false` when the server holds too much already.
    func take(_ count: Int) -> Bool {
        guard count > 0 else { return true }
        guard budget.reserve(count, for: ticket) else { return false }
        taken += count
        return true
    }

    /// Gives back what the request took; the request is no longer in flight.
    func releaseAll() {
        guard !ended else { return }
        ended = true
        budget.end(ticket, releasing: taken)
        taken = 0
    }
}

import Foundation

/// The bytes the server holds for requests in flight — bodies as received, what they decompress to, and their
/// decoded records until committed — bounded as a whole, so that a slow ledger and large requests cost 429s,
/// not memory: a request whose bytes would pass the bound is refused before it is read further.
///
/// Records alone do not bound memory: one 8 MiB span is one record.
final class HeldBytes: @unchecked Sendable {
    let limit: Int
    private let lock = NSLock()
    private var held = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// The bytes held now.
    var current: Int {
        lock.withLock { held }
    }

    /// Takes `count` bytes out of the bound for a request that holds `holding` already; `false` (taking
    /// nothing) when they do not fit. A request alone always fits — when nothing but its own bytes is held —
    /// so a body up to `--max-body-bytes` is never refused for good.
    func reserve(_ count: Int, holding: Int) -> Bool {
        lock.withLock {
            guard held == holding || held + count <= limit else { return false }
            held += count
            return true
        }
    }

    /// Gives back `count` bytes taken by ``reserve(_:holding:)``.
    func release(_ count: Int) {
        lock.withLock { held -= count }
    }
}

/// The bytes one request has taken from ``HeldBytes``, given back together when the request is answered.
final class HeldRequest: @unchecked Sendable {
    private let budget: HeldBytes
    private var taken = 0

    init(budget: HeldBytes) {
        self.budget = budget
    }

    /// Takes `count` more bytes for this request; `false` when the server holds too much already.
    func take(_ count: Int) -> Bool {
        guard count > 0 else { return true }
        guard budget.reserve(count, holding: taken) else { return false }
        taken += count
        return true
    }

    /// Gives back what the request took.
    func releaseAll() {
        budget.release(taken)
        taken = 0
    }
}

import Foundation

/// What the live metrics remember of traces whose spans come in several requests: the unauthorized tool calls
/// that arrived before their root, and the roots already counted, so that a rogue action is counted for its
/// task's version whichever request brings it. Bounded: past `capacity` traces of each kind the oldest are
/// forgotten (a late span of a forgotten trace is then not counted live; the looks still count it).
final class LiveTraces: @unchecked Sendable {
    struct Root: Sendable, Equatable {
        var agent: String
        var version: String
    }

    let capacity: Int
    // Guarded by `lock`.
    private let lock = NSLock()
    private var waiting: [String: Int] = [:]
    private var waitingOrder: [String] = []
    private var roots: [String: Root] = [:]
    private var rootOrder: [String] = []

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// A root committed: returns the unauthorized tool calls of its trace that came before it.
    func root(trace: String, _ root: Root) -> Int {
        lock.lock()
        defer { lock.unlock() }
        let earlier = waiting.removeValue(forKey: trace) ?? 0
        if roots.updateValue(root, forKey: trace) == nil {
            rootOrder.append(trace)
            Self.trim(&roots, &rootOrder, to: capacity)
        }
        return earlier
    }

    /// An unauthorized tool call committed without its root: the root's agent and version when it came
    /// before (count the call now), else `nil` (it waits for the root).
    func rogueCall(trace: String) -> Root? {
        lock.lock()
        defer { lock.unlock() }
        if let root = roots[trace] { return root }
        if waiting[trace] == nil {
            waitingOrder.append(trace)
            Self.trim(&waiting, &waitingOrder, to: capacity)
        }
        waiting[trace, default: 0] += 1
        return nil
    }

    private static func trim<Value>(_ table: inout [String: Value], _ order: inout [String], to capacity: Int) {
        guard order.count > capacity else { return }
        let excess = order.count - capacity
        for key in order[0..<excess] { table.removeValue(forKey: key) }
        order.removeFirst(excess)
    }
}

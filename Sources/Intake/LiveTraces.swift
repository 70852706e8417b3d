import Foundation

/// What the live metrics remember of traces whose spans come in several requests: the unauthorized tool calls
/// that arrived before their root, and the roots already counted, so that a rogue action is counted for its
/// task's version whichever request brings it.
///
/// Bounded, at constant cost per span: each kind is kept in two generations; when the current one reaches
/// `capacity` traces it becomes the previous one and the previous one is forgotten (a late span of a forgotten
/// trace is then not counted live; the looks still count it). Between `capacity` and twice that many traces of
/// each kind are remembered.
final class LiveTraces: @unchecked Sendable {
    struct Root: Sendable, Equatable {
        var agent: String
        var version: String
    }

    /// A table of traces in two generations.
    struct Generations<Value> {
        var current: [String: Value] = [:]
        var previous: [String: Value] = [:]

        subscript(trace: String) -> Value? { current[trace] ?? previous[trace] }

        mutating func set(_ value: Value, for trace: String, capacity: Int) {
            if current.count >= capacity, current[trace] == nil {
                previous = current
                current = [:]
            }
            current[trace] = value
        }

        mutating func remove(_ trace: String) -> Value? {
            let older = previous.removeValue(forKey: trace)
            return current.removeValue(forKey: trace) ?? older
        }
    }

    let capacity: Int
    // Guarded by `lock`.
    private let lock = NSLock()
    private var waiting = Generations<Int>()
    private var roots = Generations<Root>()
    private var taskSpans = Generations<Bool>()

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// A root committed: returns the unauthorized tool calls of its trace that came before it.
    func root(trace: String, _ root: Root) -> Int {
        lock.lock()
        defer { lock.unlock() }
        let earlier = waiting.remove(trace) ?? 0
        roots.set(root, for: trace, capacity: capacity)
        return earlier
    }

    /// A possible task span committed without its trace's opening span.
    func taskSpan(trace: String) {
        lock.lock()
        defer { lock.unlock() }
        taskSpans.set(true, for: trace, capacity: capacity)
    }

    /// Whether an earlier request brought a possible task span of `trace` (so the request that completed it
    /// held only part of it, and a look, not the live count, says whether it gave a task).
    func hadTaskSpan(trace: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return taskSpans.remove(trace) != nil
    }

    /// An unauthorized tool call committed without its root: the root's agent and version when it came
    /// before (count the call now), else `nil` (it waits for the root).
    func rogueCall(trace: String) -> Root? {
        lock.lock()
        defer { lock.unlock() }
        if let root = roots[trace] { return root }
        waiting.set((waiting[trace] ?? 0) + 1, for: trace, capacity: capacity)
        return nil
    }
}

import Synchronization

/// What the live metrics remember of traces whose spans come in several requests: the unauthorized tool calls
/// that arrived before their root, and the roots already counted, so that a rogue action is counted for its
/// task's version whichever request brings it.
///
/// Bounded, at constant cost per span: each kind is kept in two generations; when the current one reaches
/// `capacity` traces it becomes the previous one and the previous one is forgotten (a late span of a forgotten
/// trace is then not counted live; the looks still count it). Between `capacity` and twice that many traces of
/// each kind are remembered.
final class LiveTraces: Sendable {
    struct Root: Sendable, Equatable {
        var agent: String
        var version: String
    }

    /// A table of traces in two generations.
    struct Generations<Value: Sendable>: Sendable {
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
    private struct State {
        var waiting = Generations<Int>()
        var roots = Generations<Root>()
        var taskSpans = Generations<Bool>()
    }
    private let state = Mutex(State())

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// A root committed: returns the unauthorized tool calls of its trace that came before it.
    func root(trace: String, _ root: Root) -> Int {
        state.withLock {
            let earlier = $0.waiting.remove(trace) ?? 0
            $0.roots.set(root, for: trace, capacity: capacity)
            return earlier
        }
    }

    /// A possible task span committed without its trace's opening span.
    func taskSpan(trace: String) {
        state.withLock { $0.taskSpans.set(true, for: trace, capacity: capacity) }
    }

    /// Whether an earlier request brought a possible task span of `trace` (so the request that completed it
    /// held only part of it, and a look, not the live count, says whether it gave a task).
    func hadTaskSpan(trace: String) -> Bool {
        state.withLock { $0.taskSpans.remove(trace) != nil }
    }

    /// An unauthorized tool call committed without its root: the root's agent and version when it came
    /// before (count the call now), else `nil` (it waits for the root).
    func rogueCall(trace: String) -> Root? {
        state.withLock {
            if let root = $0.roots[trace] { return root }
            $0.waiting.set(($0.waiting[trace] ?? 0) + 1, for: trace, capacity: capacity)
            return nil
        }
    }
}

import Testing

@testable import Intake

@Suite("LiveTraces: rogue calls of traces split over requests")
struct LiveTracesTests {
    @Test("a call before its root is counted when the root comes; one after it at once")
    func callsAroundTheRoot() {
        let traces = LiveTraces(capacity: 10)
        let root = LiveTraces.Root(agent: "support-agent", version: "1.5.0")
        #expect(traces.rogueCall(trace: "a") == nil)
        #expect(traces.rogueCall(trace: "a") == nil)
        #expect(traces.root(trace: "a", root) == 2)
        #expect(traces.rogueCall(trace: "a") == root)
        // The waiting calls were handed over once.
        #expect(traces.root(trace: "a", root) == 0)
    }

    @Test("bounded: past twice the capacity the oldest traces are forgotten, the recent ones kept")
    func bounded() {
        let traces = LiveTraces(capacity: 100)
        let root = LiveTraces.Root(agent: "support-agent", version: "1.4.0")
        for trace in 0..<1_000 { _ = traces.root(trace: "t\(trace)", root) }
        #expect(traces.rogueCall(trace: "t0") == nil)
        for trace in 900..<1_000 { #expect(traces.rogueCall(trace: "t\(trace)") == root) }
        // Calls waiting for roots that never come are bounded the same way.
        for trace in 0..<1_000 { _ = traces.rogueCall(trace: "w\(trace)") }
        #expect(traces.root(trace: "w0", root) == 0)
        #expect(traces.root(trace: "w999", root) == 1)
    }
}

/// The spans of one trace as a tree (by parent span id), addressed by their index in ``spans`` (start order),
/// each with its role computed once.
struct TraceTree {
    let spans: [OTLPSpan]
    /// ``OTLPSpan/role`` of each span.
    let roles: [SpanRole]
    /// The index of each span's parent in this process: `nil` when the parent is remote or has not arrived.
    let parents: [Int?]
    private let children: [[Int]]

    /// The tree of `spans`; an annotation's event (a log record's, ``OTLPLogRecords``) becomes an event of the
    /// span it names, or of the spans that open the trace when it names none that arrived.
    init(_ spans: [OTLPSpan]) {
        var ordered = spans.filter { !$0.isAnnotation }
        ordered.sort { ($0.startNanos, $0.spanId) < ($1.startNanos, $1.spanId) }
        // Most traces a request brings are a few spans: a search costs less than a dictionary there.
        var indexById: [String: Int] = [:]
        if ordered.count > 8 {
            indexById.reserveCapacity(ordered.count)
            for (index, span) in ordered.enumerated() { indexById[span.spanId] = index }
        }
        func position(_ id: String) -> Int? {
            ordered.count > 8 ? indexById[id] : ordered.firstIndex { $0.spanId == id }
        }
        if ordered.count < spans.count {
            let openers = ordered.indices.filter { ordered[$0].opensTrace }
            let annotations = spans.filter(\.isAnnotation).sorted {
                ($0.startNanos, $0.spanId) < ($1.startNanos, $1.spanId)
            }
            for annotation in annotations {
                let targets = position(annotation.parentSpanId).map { [$0] } ?? openers
                for target in targets { ordered[target].events += annotation.events }
            }
        }
        var parents: [Int?] = []
        var children = [[Int]](repeating: [], count: ordered.count)
        parents.reserveCapacity(ordered.count)
        for (index, span) in ordered.enumerated() {
            // A span whose parent is remote opens another process's part of the trace: no parent here.
            let parent = span.parentIsRemote || span.parentSpanId.isEmpty ? nil : position(span.parentSpanId)
            parents.append(parent == index ? nil : parent)
            if let parent, parent != index { children[parent].append(index) }
        }
        self.spans = ordered
        self.roles = ordered.map(\.role)
        self.parents = parents
        self.children = children
    }

    /// The spans matching `isMatch` with no matching span above them, in start order.
    func outermost(where isMatch: (Int) -> Bool) -> [Int] {
        spans.indices.filter { index in
            guard isMatch(index) else { return false }
            var steps = 0
            var parent = parents[index]
            while let above = parent, steps < spans.count {
                if isMatch(above) { return false }
                parent = parents[above]
                steps += 1
            }
            return true
        }
    }

    /// The spans below `index` in this process, in start order: a span whose parent is remote opens another
    /// process's part of the trace (a mirrored request, a called service) and is not below it.
    func descendants(of index: Int) -> [Int] {
        var found: [Int] = []
        var pending = children[index]
        var seen = Set([index])
        while let next = pending.popLast() {
            guard seen.insert(next).inserted else { continue }
            found.append(next)
            pending.append(contentsOf: children[next])
        }
        return found.sorted()
    }

    /// The spans above `index` in this process that arrived, nearest first.
    func ancestors(of index: Int) -> [Int] {
        var result: [Int] = []
        var parent = parents[index]
        while let above = parent, result.count < spans.count {
            result.append(above)
            parent = parents[above]
        }
        return result
    }

    /// The index of the span with `spanId`, if it arrived.
    func index(of spanId: String) -> Int? {
        spans.firstIndex { $0.spanId == spanId }
    }
}

/// One task span's place in its trace: the spans below it and above it, found once.
struct TaskScope {
    let trace: TraceTree
    /// The task span.
    let root: Int
    /// The spans below it in this process, in start order.
    let below: [Int]
    /// The task span, then the spans below it, then those above it (nearest first): where the task's
    /// attributes and outcome signals are read, in that order.
    let related: [Int]

    init(_ root: Int, in trace: TraceTree) {
        self.trace = trace
        self.root = root
        below = trace.descendants(of: root)
        related = [root] + below + trace.ancestors(of: root)
    }

    /// The task span.
    var span: OTLPSpan { trace.spans[root] }
}

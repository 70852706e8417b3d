/// The spans of one trace as a tree (by parent span id).
struct TraceTree {
    let spans: [OTLPSpan]
    private let indexById: [String: Int]
    private let children: [String: [Int]]

    /// The tree of `spans`; an annotation's event (a log record's, ``OTLPLogRecords``) becomes an event of the
    /// span it names, or of the spans that open the trace when it names none that arrived.
    init(_ spans: [OTLPSpan]) {
        var ordered = spans.filter { !$0.isAnnotation }.sorted {
            ($0.startNanos, $0.spanId) < ($1.startNanos, $1.spanId)
        }
        let annotations = spans.filter(\.isAnnotation).sorted {
            ($0.startNanos, $0.spanId) < ($1.startNanos, $1.spanId)
        }
        if !annotations.isEmpty {
            var position: [String: Int] = [:]
            for (index, span) in ordered.enumerated() { position[span.spanId] = index }
            let openers = ordered.indices.filter { ordered[$0].opensTrace }
            for annotation in annotations {
                let targets = position[annotation.parentSpanId].map { [$0] } ?? openers
                for target in targets { ordered[target].events += annotation.events }
            }
        }
        self.spans = ordered
        var indexById: [String: Int] = [:]
        var children: [String: [Int]] = [:]
        for (index, span) in ordered.enumerated() {
            indexById[span.spanId] = index
            if !span.parentSpanId.isEmpty { children[span.parentSpanId, default: []].append(index) }
        }
        self.indexById = indexById
        self.children = children
    }

    /// The spans matching `isMatch` with no matching ancestor, in start order.
    func outermost(where isMatch: (OTLPSpan) -> Bool) -> [OTLPSpan] {
        spans.filter { span in isMatch(span) && !ancestors(of: span).contains(where: isMatch) }
    }

    /// The spans below `span` in this process, in start order: a span whose parent is remote opens another
    /// process's part of the trace (a mirrored request, a called service) and is not below it.
    func descendants(of span: OTLPSpan) -> [OTLPSpan] {
        var found: [Int] = []
        var pending = children[span.spanId] ?? []
        var seen: Set<String> = [span.spanId]
        while let index = pending.popLast() {
            guard !spans[index].parentIsRemote, seen.insert(spans[index].spanId).inserted else { continue }
            found.append(index)
            pending.append(contentsOf: children[spans[index].spanId] ?? [])
        }
        return found.sorted().map { spans[$0] }
    }

    /// The spans above `span` in this process that arrived, nearest first (up to the span whose parent is
    /// remote).
    func ancestors(of span: OTLPSpan) -> [OTLPSpan] {
        var result: [OTLPSpan] = []
        var seen: Set<String> = [span.spanId]
        var current = span
        while !current.parentIsRemote, let index = indexById[current.parentSpanId],
            seen.insert(current.parentSpanId).inserted
        {
            current = spans[index]
            result.append(current)
        }
        return result
    }
}

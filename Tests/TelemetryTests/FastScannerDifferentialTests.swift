import Foundation
import JSONLines
import Statistics
import Telemetry
import Testing

/// The monitor reads task lines with ``FastTaskScanner`` and hands every line it declines to
/// ``NativeEventParser``. Both paths accept the same language only if every line the scanner accepts, the
/// parser accepts too, with the same facts. Checked on seeded mutations of real lines (bytes replaced,
/// inserted, deleted; invalid UTF-8, control characters, broken literals and numbers in skipped values;
/// repeated members) and on lines built from random members.
@Suite("Fast scanner and full parser accept the same task lines")
struct FastScannerDifferentialTests {
    static let lines = [
        #"{"type":"task","ts":"2026-11-26T00:01:02.766Z","event_id":"sim-c0-t0-e","version":"1.4.0","conversation_id":"sim-c0","task_id":"sim-c0-t0","request_id":"sim-c0-t0-r","outcome":"success","cost_usd":0.013962,"latency_ms":2766,"input_tokens":2634,"output_tokens":404,"steps":3,"tool_calls":[{"name":"send_email","authorized":true},{"name":"lookup_order","authorized":false}],"category":"billing","input":{"messages":[{"role":"user","content":"billing question 1 of conversation 0"}]},"output":"Resolved the billing request."}"#,
        #"{ "type": "task", "ts": "2026-11-26T00:02:00Z", "event_id": "e-2", "version": "2.0.0-rc.1", "conversation_id": "c-ü", "task_id": "t-2", "outcome": "failure", "judge_score": 0.5, "category": "réclamation €", "input": ["a", 1, true, false, null, {"k": [1.5e3, -2]}], "output": "naïve 🚀 text", "extra": {"nested": "value"} }"#,
        #"{"type":"task","ts":"2026-11-26T00:03:00+01:00","event_id":"e-3","version":"1","conversation_id":"c","task_id":"t","outcome":"error","tool_calls":[],"steps":0,"cost_usd":0,"unknown":12.25}"#,
    ]

    /// Bytes that sit at the edges of the grammar.
    static let interesting: [UInt8] =
        [0x00, 0x09, 0x0A, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xF5, 0xFF]
        + Array(#""\{}[],:-+0159eE.tfnu x"#.utf8)

    static func mutations(of line: [UInt8], count: Int, generator: inout SeededGenerator) -> [[UInt8]] {
        var results: [[UInt8]] = []
        for _ in 0..<count {
            var bytes = line
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                let byte = interesting.randomElement(using: &generator) ?? 0
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: bytes[index] = byte
                case 1: bytes.insert(byte, at: index)
                case 2: if bytes.count > 2 { bytes.remove(at: index) }
                default:
                    // A non-ASCII sequence, well-formed or not, inside the line.
                    let sequences: [[UInt8]] = [
                        [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x9A, 0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80],
                        [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xFE],
                    ]
                    bytes.insert(contentsOf: sequences.randomElement(using: &generator) ?? [], at: index)
                }
            }
            results.append(bytes)
        }
        return results
    }

    /// A line of random members: required ones most of the time, values of every type, duplicates.
    static func generated(generator: inout SeededGenerator) -> [UInt8] {
        let values = [
            #""task""#, #""2026-11-26T00:01:00Z""#, #""x""#, #""""#, "1", "0.25", "-1", "1e3", "01", "null", "true",
            "[]", "{}", #"[{"name":"a","authorized":true}]"#, #"[{"name":"a"}]"#, #""caf\u00e9""#, "\"tab\u{09}in\"",
            "\"\u{FF}\"", #""success""#, #""failure""#, "12345678901234567", "3.", "[1,]", #"{"a":1,}"#, "tru",
        ]
        let keys = [
            "type", "ts", "event_id", "version", "conversation_id", "task_id", "outcome", "cost_usd", "steps",
            "tool_calls", "input", "output", "category", "request_id", "comment", "rating", "latency_ms", "other",
        ]
        var members = [
            #""type":"task""#, #""ts":"2026-11-26T00:01:00Z""#, #""event_id":"e""#, #""version":"1.5.0""#,
            #""conversation_id":"c""#, #""task_id":"t""#, #""outcome":"success""#,
        ]
        for _ in 0..<Int.random(in: 0...4, using: &generator) {
            let key = keys.randomElement(using: &generator) ?? "other"
            let value = values.randomElement(using: &generator) ?? "1"
            members.insert("\"\(key)\":\(value)", at: Int.random(in: 0...members.count, using: &generator))
        }
        if Bool.random(using: &generator) { members.remove(at: Int.random(in: 0..<members.count, using: &generator)) }
        return Array(("{" + members.joined(separator: ",") + "}").utf8)
    }

    /// Whether the scanner's facts are the parser's; `nil` when they are, else what differs.
    static func difference(_ scanner: FastTaskScanner, _ task: TaskEvent, _ line: UnsafeBufferPointer<UInt8>)
        -> String?
    {
        func text(_ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self)
        }
        func same(_ fast: Double, _ full: Double?) -> Bool { fast.isNaN ? full == nil : fast == full }
        let names = (0..<scanner.toolCount).map { text(scanner.toolRange($0)) }
        let checks: [(String, Bool)] = [
            ("ts", scanner.timestamp == task.timestamp), ("event_id", scanner.eventHash == stableHash(task.eventId)),
            ("version", text(scanner.versionRange) == task.version),
            ("conversation_id", text(scanner.conversationRange) == task.conversationId),
            ("task_id", scanner.taskHash == stableHash(task.taskId)),
            ("request_id", scanner.requestHash == (task.requestId.map(stableHash) ?? 0)),
            ("outcome", scanner.outcome == task.outcome), ("cost_usd", same(scanner.cost, task.costUSD)),
            ("latency_ms", same(scanner.latency, task.latencyMs)),
            ("input_tokens", same(scanner.inputTokens, task.inputTokens)),
            ("output_tokens", same(scanner.outputTokens, task.outputTokens)),
            ("steps", same(scanner.steps, task.steps)),
            ("judge_score", same(scanner.judge, task.judgeScore)),
            ("category", scanner.categoryRange.map(text) == task.category),
            ("tool_calls", names == task.toolCalls.map(\.name)),
            ("unauthorized", scanner.unauthorized == task.toolCalls.contains { $0.authorized == false }),
        ]
        let differing = checks.filter { !$0.1 }.map(\.0)
        return differing.isEmpty ? nil : differing.joined(separator: ", ")
    }

    @Test("every line the scanner accepts, the parser accepts with the same facts")
    func sameLanguage() throws {
        var generator = SeededGenerator(seed: 20_261_201)
        var candidates: [[UInt8]] = []
        for line in Self.lines {
            candidates.append(Array(line.utf8))
            candidates += Self.mutations(of: Array(line.utf8), count: 4_000, generator: &generator)
        }
        for _ in 0..<6_000 { candidates.append(Self.generated(generator: &generator)) }
        let parser = NativeEventParser(file: "lines.jsonl")
        var accepted = 0
        var refusedByBoth = 0
        for candidate in candidates {
            candidate.withUnsafeBufferPointer { line in
                var scanner = FastTaskScanner()
                let fast = scanner.scan(line)
                let full = try? parser.event(line, line: 1)
                guard fast else {
                    if full == nil { refusedByBoth += 1 }
                    return
                }
                accepted += 1
                let shown = String(decoding: candidate, as: UTF8.self).debugDescription
                guard case .task(let task)? = full else {
                    Issue.record("the scanner accepts what the parser refuses: \(shown)")
                    return
                }
                if let difference = Self.difference(scanner, task, line) {
                    Issue.record("\(difference) differ for \(shown)")
                }
            }
        }
        // Enough of both kinds that the comparison says something.
        #expect(accepted > 2_000, "\(accepted)")
        #expect(refusedByBoth > 5_000, "\(refusedByBoth)")
    }

    @Test(
        "well-formed UTF-8 as Swift's String(validating:) decides it",
        arguments: [
            [0x41], [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x9A, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xC0, 0xAF],
            [0xC1, 0xBF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],
            [0xE2, 0x82], [0x80], [0xFF], [0xEF, 0xBF, 0xBF], [0xED, 0x9F, 0xBF],
        ] as [[UInt8]])
    func utf8(bytes: [UInt8]) {
        let expected = String(validating: bytes, as: UTF8.self) != nil
        #expect(bytes.withUnsafeBufferPointer { isWellFormedUTF8($0) } == expected)
    }
}

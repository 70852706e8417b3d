import Analysis
import AnalysisCore
import Artifacts
import Foundation
import Simulation
import Telemetry
import TestSupport
import Testing
import Vocabulary

@Suite("OTLP traces")
struct OTLPTraceTests {
    static func task(cost: Double?) -> TaskEvent {
        TaskEvent(
            timestamp: 1_795_651_200.5, eventId: "t1-e", version: "1.5.0", conversationId: "c1", taskId: "t1",
            requestId: "r1", outcome: .failure, costUSD: cost, latencyMs: 1500, inputTokens: 1000, outputTokens: 200,
            steps: 2,
            toolCalls: [
                ToolCall(name: "search_kb", authorized: true), ToolCall(name: "issue_refund", authorized: false),
            ],
            category: "billing", input: nil, output: nil)
    }

    static func parse(_ line: String, prices: [String: (input: Double, output: Double)] = [:]) throws -> TaskEvent? {
        let bytes = Array(line.utf8)
        let spans = try bytes.withUnsafeBufferPointer { try OTLPTraceParser(file: "t.jsonl").spans($0, line: 1) }
        let builder = OTLPTaskBuilder(
            options: OTLPOptions(
                successEvaluation: "task_success", authorizationAttribute: "agent_canary.tool.authorized",
                categoryAttribute: "agent_canary.task.category", prices: prices))
        return builder.tasks(spans: spans).tasks.first
    }

    @Test(
        "a trace becomes its task: version, conversation, tokens, steps, tools, outcome, latency",
        arguments: GenAINames.allCases)
    func task(names: GenAINames) throws {
        let task = try #require(try Self.parse(OTLPWriter.line(Self.task(cost: 0.006), names: names)))
        #expect(task.version == "1.5.0")
        #expect(task.conversationId == "c1")
        #expect(task.inputTokens == 1000 && task.outputTokens == 200)
        #expect(task.costUSD == 0.006 && !task.costFromPrices)
        #expect(task.steps == 2)
        #expect(task.toolCalls.map(\.name) == ["search_kb", "issue_refund"])
        #expect(task.toolCalls.map(\.authorized) == [true, false])
        #expect(task.outcome == .failure)
        #expect(task.latencyMs == 1500)
        #expect(task.category == "billing")
        #expect(task.eventId.hasPrefix("span:"))
    }

    /// Without a cost attribute, cost is tokens × the policy's price for the inference spans' model:
    /// 1000 × 3 / 10⁶ + 200 × 15 / 10⁶ = 0.006 USD.
    @Test("cost from the price table when the trace carries none")
    func priceTable() throws {
        let line = OTLPWriter.line(Self.task(cost: nil), names: .legacy)
        let priced = try #require(try Self.parse(line, prices: ["model-a": (3, 15)]))
        #expect(abs((priced.costUSD ?? 0) - 0.006) < 1e-12)
        #expect(priced.costFromPrices)
        let unpriced = try #require(try Self.parse(line))
        #expect(unpriced.costUSD == nil)
    }

    @Test("a trace that names no version gives no task")
    func noVersion() throws {
        var line = OTLPWriter.line(Self.task(cost: 0.006), names: .current)
        line = line.replacingOccurrences(of: "gen_ai.agent.version", with: "other.attribute")
        #expect(try Self.parse(line) == nil)
    }
}

/// A trace whose spans arrive in two batches: the root-less part is read again at the next look, and the
/// task is counted once, with the tool calls of both parts.
@Suite("OTLP traces across looks")
struct OTLPIncrementalTests {
    /// `line` split into a line of the root span alone and a line of the other spans.
    static func split(_ line: String) throws -> (root: String, children: String) {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        var resourceSpans = try #require(object["resourceSpans"] as? [[String: Any]])
        var scopeSpans = try #require(resourceSpans[0]["scopeSpans"] as? [[String: Any]])
        let spans = try #require(scopeSpans[0]["spans"] as? [[String: Any]])
        func encode(_ subset: [[String: Any]]) throws -> String {
            scopeSpans[0]["spans"] = subset
            resourceSpans[0]["scopeSpans"] = scopeSpans
            object["resourceSpans"] = resourceSpans
            return String(
                decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        let isRoot = { (span: [String: Any]) in (span["parentSpanId"] as? String ?? "").isEmpty }
        return (try encode(spans.filter(isRoot)), try encode(spans.filter { !isRoot($0) }))
    }

    @Test("a trace split over two looks counts once, with all its tool calls", .requires(.sqlite3))
    func splitTrace() throws {
        let directory = try TemporaryDirectory()
        let run = try LoopFixtures.startedRun(
            in: directory,
            policy:
                "agent: {name: support-agent}\nrollout:\n  steps: [{weight: 50}]\nmonitor:\n  otlp: {success_evaluation: task_success}\n"
        )
        let split = OTLPTraceTests.task(cost: 0.006)
        let whole = TaskEvent(
            timestamp: 1_795_651_300, eventId: "t2-e", version: "1.4.0", conversationId: "c2", taskId: "t2",
            requestId: nil, outcome: .success, costUSD: 0.004, latencyMs: 900, inputTokens: 800, outputTokens: 100,
            steps: 1, toolCalls: [ToolCall(name: "lookup_order", authorized: true)], category: nil, input: nil,
            output: nil)
        let parts = try Self.split(OTLPWriter.line(split, names: .current))
        try directory.write("traces.jsonl", parts.children + "\n" + OTLPWriter.line(whole, names: .current) + "\n")
        let look = [
            "analyze", "--run", run, "--policy", "canary.yaml", "--otlp", "traces.jsonl", "--output", "analysis.json",
        ]
        let first = try LoopFixtures.monitor(look, in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        let before = try LoopFixtures.analysis(directory.path("analysis.json"))
        #expect(before.ingestion.newEvents == 1)
        #expect(before.ingestion.sources[0].toOffset == 0)  // the root-less trace's line is read again
        let text = try String(contentsOfFile: directory.path("traces.jsonl"), encoding: .utf8)
        try directory.write("traces.jsonl", text + parts.root + "\n")
        let second = try LoopFixtures.monitor(look, in: directory)
        // The completed trace carries the candidate's unauthorized refund, and the baseline has made none: the
        // zero-tolerance rule (monitor.rogue_action_budget 0) rolls it back.
        #expect(second.status == 1, "\(second.stderr)")
        let after = try LoopFixtures.analysis(directory.path("analysis.json"))
        #expect(
            after.judgement.reasons.contains { $0.contains("with an unauthorized action and none by the baseline") })
        #expect(after.ingestion.newEvents == 1)
        #expect(after.ingestion.duplicateEvents == 1)
        #expect(after.judgement.sample.candidateTasks == 1 && after.judgement.sample.baselineTasks == 1)
        let rows = try runCommand(
            try ExternalTool.sqlite3.require(),
            [
                directory.path("ledger.sqlite"),
                "SELECT tool_calls, unauthorized FROM telemetry_tasks WHERE version = '1.5.0'",
            ])
        #expect(rows.output.contains("issue_refund") && rows.output.contains("search_kb"), "\(rows.output)")
        #expect(rows.output.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("|1"), "\(rows.output)")
    }
}

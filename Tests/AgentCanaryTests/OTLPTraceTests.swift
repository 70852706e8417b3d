import Foundation
import Simulation
import Telemetry
import Testing

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
        let root = try #require(spans.first(where: OTLPTaskBuilder.isTaskRoot))
        return builder.task(root: root, spans: spans)
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

    @Test("a trace that names no version gives no task (the reader reports it)")
    func noVersion() throws {
        var line = OTLPWriter.line(Self.task(cost: 0.006), names: .current)
        line = line.replacingOccurrences(of: "gen_ai.agent.version", with: "other.attribute")
        #expect(try Self.parse(line) == nil)
    }
}

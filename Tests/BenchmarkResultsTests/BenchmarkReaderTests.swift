import BenchmarkResults
import Foundation
import TestSupport
import Testing

@Suite("Benchmark inputs")
struct BenchmarkReaderTests {
    func parse(_ text: String, scorer: String? = nil) throws -> BenchmarkSuite {
        try BenchmarkReader.parse(Data(text.utf8), path: "r.jsonl", inspectScorer: scorer)
    }

    @Test("native JSONL rows with every field")
    func nativeLines() throws {
        let suite = try parse(
            """
            {"task_id":"t1","trial":1,"category":"billing","version":"2.0","success":true,"cost_usd":0.01,"latency_ms":1200,"input_tokens":10,"output_tokens":5,"steps":3,"tool_calls":[{"name":"search","authorized":true},{"name":"refund","authorized":false}],"extra":{"ignored":[1,2]}}
            {"task_id":7,"trial":2,"score":0.4,"unauthorized_actions":2}
            {"task_id":"t3","error":"infra"}
            """)
        #expect(suite.format == .native)
        #expect(suite.declaredVersion == "2.0")
        #expect(suite.attempts.count == 3)
        let first = suite.attempts[0]
        #expect(first.taskId == "t1" && first.category == "billing" && first.success == true)
        #expect(first.costUSD == 0.01 && first.latencyMs == 1200 && first.steps == 3)
        #expect(first.unauthorizedActions == 1)
        #expect(suite.attempts[1].taskId == "7" && suite.attempts[1].score == 0.4)
        #expect(suite.attempts[1].unauthorizedActions == 2)
        #expect(!suite.attempts[1].succeeded(scoreThreshold: 0.5))
        #expect(suite.attempts[2].error == .infra && suite.attempts[2].trial == 1)
    }

    @Test("a JSON array reads like JSONL, with element lines")
    func nativeArray() throws {
        let suite = try parse(
            "[\n  {\"task_id\": \"a\", \"success\": true},\n  {\"task_id\": \"b\", \"success\": false}\n]\n")
        #expect(suite.attempts.map(\.taskId) == ["a", "b"])
        #expect(suite.attempts.map(\.line) == [2, 3])
        #expect(
            throws: BenchmarkInputError.malformed(
                file: "r.jsonl", line: 3, field: "success", reason: "expected true or false, found a string")
        ) {
            try parse("[\n  {\"task_id\": \"a\", \"success\": true},\n  {\"task_id\": \"b\", \"success\": \"no\"}\n]\n")
        }
    }

    @Test(
        "bad input names the file, the line and the field",
        arguments: [
            ("", BenchmarkInputError.empty(path: "r.jsonl")),
            ("\n \n", .empty(path: "r.jsonl")),
            ("task_id,success\n", .unknownFormat(path: "r.jsonl", reason: "the file does not start with '{' or '['")),
            (
                "{\"task_id\":\"a\",\"success\":true}\n{\"task_id\":\"b\",\"succ",
                .malformed(
                    file: "r.jsonl", line: 2, field: "", reason: "not valid JSON at column 16: unterminated string")
            ),
            (
                "{\"task_id\":\"a\",\"success\":true}\n{\"task_id\":\"b\",\"cost_usd\":NaN,\"success\":true}",
                .malformed(
                    file: "r.jsonl", line: 2, field: "cost_usd",
                    reason: "expected a number, found 'N', which is not valid JSON")
            ),
            (
                "{\"task_id\":\"a\",\"success\":\"yes\"}",
                .malformed(file: "r.jsonl", line: 1, field: "success", reason: "expected true or false, found a string")
            ),
            (
                "{\"task_id\":\"a\",\"success\":true,\"cost_usd\":-0.5}",
                .malformed(file: "r.jsonl", line: 1, field: "cost_usd", reason: "-0.5 is out of range (0…1000000000)")
            ),
            (
                "{\"task_id\":\"a\",\"success\":true}\n{\"task_id\":\"a\",\"success\":false}",
                .duplicateAttempt(file: "r.jsonl", line: 2, taskId: "a", trial: 1, firstLine: 1)
            ),
            (
                "{\"success\":true}",
                .malformed(file: "r.jsonl", line: 1, field: "task_id", reason: "required field is missing")
            ),
            (
                "{\"task_id\":\"a\"}",
                .malformed(
                    file: "r.jsonl", line: 1, field: "success",
                    reason: "a row needs 'success' (true/false) or 'score' (0–1), or an 'error'")
            ),
            (
                "{\"task_id\":\"a\",\"score\":1.5}",
                .malformed(file: "r.jsonl", line: 1, field: "score", reason: "1.5 is out of range (0…1)")
            ),
            (
                "{\"task_id\":\"a\",\"success\":true,\"trial\":1.5}",
                .malformed(file: "r.jsonl", line: 1, field: "trial", reason: "expected an integer, found 1.5")
            ),
            (
                "{\"task_id\":\"a\",\"success\":true,\"error\":\"oops\"}",
                .malformed(file: "r.jsonl", line: 1, field: "error", reason: "'oops' is not one of: agent, infra")
            ),
            (
                "{\"task_id\":\"a\",\"success\":true,\"tool_calls\":[{\"name\":\"x\"}]}",
                .malformed(
                    file: "r.jsonl", line: 1, field: "tool_calls[0].authorized", reason: "required field is missing")
            ),
            (
                "{\"task_id\":\"a\",\"success\":true,\"version\":\"1\"}\n{\"task_id\":\"b\",\"success\":true,\"version\":\"2\"}",
                .malformed(
                    file: "r.jsonl", line: 2, field: "version",
                    reason: "'2' differs from '1' on line 1; one file holds one version")
            ),
            ("[1]", .malformed(file: "r.jsonl", line: 1, field: "", reason: "expected an object, found a number")),
            (
                "{\"eval\":{}, \"samples\": 3}",
                .malformed(file: "r.jsonl", line: 1, field: "samples", reason: "expected an array of samples")
            ),
        ])
    func badInput(text: String, expected: BenchmarkInputError) {
        #expect(throws: expected) { try parse(text) }
    }

    @Test("a broken first line is a bad JSONL row, not a multi-line document")
    func brokenFirstLine() {
        #expect(
            throws: BenchmarkInputError.malformed(
                file: "r.jsonl", line: 1, field: "cost_usd",
                reason: "expected a number, found 'N', which is not valid JSON")
        ) {
            try parse("{\"task_id\":\"a\",\"success\":true,\"cost_usd\":NaN}")
        }
        #expect(
            throws: BenchmarkInputError.malformed(
                file: "r.jsonl", line: 1, field: "latency_ms",
                reason: "not valid JSON at column 47: expected ',' or '}'")
        ) {
            try parse("{\"task_id\":\"a\",\"success\":true,\"latency_ms\":12 13}")
        }
    }

    @Test("a missing file is reported as missing")
    func missingFile() {
        #expect(throws: BenchmarkInputError.missingFile(path: "/nonexistent/results.jsonl")) {
            try BenchmarkReader.read(path: "/nonexistent/results.jsonl")
        }
    }

    /// The fixtures were written by the real inspect-ai package (`Fixtures/inspect/make_inspect_fixtures.py`).
    @Test("Inspect AI logs: scores, epochs, usage, approvals and errors")
    func inspectLogs() throws {
        let baseline = try BenchmarkReader.read(
            path: Repository.path("Tests/Fixtures/inspect/baseline.json"))
        let candidate = try BenchmarkReader.read(
            path: Repository.path("Tests/Fixtures/inspect/candidate.json"))
        #expect(baseline.format == .inspect && candidate.format == .inspect)
        #expect(baseline.attempts.count == 72 && candidate.attempts.count == 72)
        #expect(Set(baseline.attempts.map(\.trial)) == [1, 2, 3])
        #expect(baseline.declaredVersion == "scripted/1.4.0")
        // Sample 17 fails in the order service on the baseline: three infrastructure errors.
        #expect(baseline.attempts.filter { $0.error == .infra }.map(\.taskId) == ["17", "17", "17"])
        // The candidate tries refunds on tasks 3, 11 and 19; the approval policy rejects them.
        let rogue = Set(candidate.attempts.filter { $0.unauthorizedActions > 0 }.map(\.taskId))
        #expect(rogue == ["3", "11", "19"])
        #expect(baseline.attempts.allSatisfy { $0.unauthorizedActions == 0 })
        let scored = try #require(candidate.attempts.first { $0.error == nil })
        #expect(scored.score == 0 || scored.score == 1)
        #expect((scored.costUSD ?? 0) > 0 && (scored.inputTokens ?? 0) > 0 && (scored.latencyMs ?? 0) > 0)
        #expect(scored.category != nil)
    }

    @Test("an Inspect log's scorer must exist when the policy names one")
    func inspectScorer() throws {
        let path = Repository.path("Tests/Fixtures/inspect/candidate.json")
        #expect(throws: BenchmarkInputError.self) { try BenchmarkReader.read(path: path, inspectScorer: "judge") }
        _ = try BenchmarkReader.read(path: path, inspectScorer: "match")
    }

    @Test("normalized JSONL reads back as the same attempts")
    func normalizedRoundTrip() throws {
        let suite = try BenchmarkReader.read(
            path: Repository.path("Tests/Fixtures/inspect/candidate.json"))
        let again = try BenchmarkReader.parse(suite.normalizedJSONL(), path: "ledger")
        #expect(
            again.attempts.map { [$0.taskId, "\($0.trial)", "\($0.score ?? -1)", "\($0.costUSD ?? -1)"] }
                == suite.attempts.map { [$0.taskId, "\($0.trial)", "\($0.score ?? -1)", "\($0.costUSD ?? -1)"] })
        #expect(again.attempts.map(\.unauthorizedActions) == suite.attempts.map(\.unauthorizedActions))
        #expect(again.attempts.map(\.error) == suite.attempts.map(\.error))
    }
}

import JSONLines
import ToolContract

/// Parses an Inspect AI evaluation log in JSON form (`EvalLog`, as `inspect log convert --to json` or
/// `log_format="json"` writes it).
///
/// A sample's `id` is the task and its `epoch` the trial. Its score comes from the policy's scorer (or
/// the only one): `C`/`I`/`P`/`N` map to 1/0/0.5/0, numbers are scores, booleans are success. A sample
/// with an `error` failed in the harness (a model API or sandbox failure) and counts as an infrastructure
/// error; one stopped by a `limit` counts as a failure of the agent. A tool call whose approval decision
/// was `reject`, `escalate` or `terminate` is an unauthorized action.
struct InspectLogParser {
    let path: String
    let scorer: String?

    static func looksLikeLog(_ value: JSONValue) -> Bool {
        value["eval"]?.objectValue != nil && value["samples"] != nil
    }

    func version(of document: JSONValue) -> String? {
        document["eval"]?["metadata"]?["agent_version"]?.stringValue ?? document["eval"]?["model"]?.stringValue
    }

    func parse(_ document: JSONValue) throws(BenchmarkInputError) -> [BenchmarkAttempt] {
        guard let samples = document["samples"]?.arrayValue else {
            throw .malformed(file: path, line: 1, field: "samples", reason: "expected an array of samples")
        }
        guard !samples.isEmpty else { throw .empty(path: path) }
        let chosenScorer = try pickScorer(samples)
        var attempts: [BenchmarkAttempt] = []
        var seen: [AttemptKey: Int] = [:]
        for (index, sample) in samples.enumerated() {
            let fields = try RowFields(sample, file: path, line: 1, prefix: "samples[\(index)]")
            let taskId = try fields.identifier("id")
            let trial = try fields.integer("epoch", minimum: 1) ?? 1
            let key = AttemptKey(taskId: taskId, trial: trial)
            if seen[key] != nil {
                throw fields.fail("epoch", "task '\(taskId)' epoch \(trial) appears twice (samples[\(seen[key] ?? 0)])")
            }
            seen[key] = index
            var attempt = BenchmarkAttempt(taskId: taskId, trial: trial, line: 1)
            if let metadata = fields.present("metadata") {
                attempt.category = try RowFields(metadata, file: path, line: 1, prefix: fields.path("metadata"))
                    .string("category")
            }
            attempt.latencyMs = try fields.number(
                "total_time", in: InputLimits.latencyMs.lowerBound...InputLimits.latencyMs.upperBound / 1000
            ).map { $0 * 1000 }
            try readUsage(fields, into: &attempt)
            attempt.unauthorizedActions = try countRefusedToolCalls(fields)
            attempt.steps = fields.present("events")?.arrayValue.map { events in
                Double(events.filter { $0["event"]?.stringValue == "model" }.count)
            }
            if fields.present("error") != nil {
                attempt.error = .infra
            } else if fields.present("limit") != nil {
                attempt.error = .agent
            } else {
                try readScore(fields, scorer: chosenScorer, into: &attempt)
            }
            attempts.append(attempt)
        }
        return attempts
    }

    private func pickScorer(_ samples: [JSONValue]) throws(BenchmarkInputError) -> String? {
        var names = Set<String>()
        for sample in samples {
            if let scores = sample["scores"]?.objectValue { names.formUnion(scores.keys) }
        }
        if let scorer {
            guard names.contains(scorer) || names.isEmpty else {
                throw .malformed(
                    file: path, line: 1, field: "samples[].scores",
                    reason:
                        "the policy's scorer '\(scorer)' is not in the log (found: \(names.sorted().joined(separator: ", ")))"
                )
            }
            return scorer
        }
        guard names.count <= 1 else { throw .ambiguousScorer(file: path, scorers: names.sorted()) }
        return names.first
    }

    private func readScore(_ fields: RowFields, scorer: String?, into attempt: inout BenchmarkAttempt)
        throws(BenchmarkInputError)
    {
        guard let scorer, let scores = fields.present("scores") else {
            throw fields.fail("scores", "the sample has neither scores nor an error")
        }
        let scoresRow = try RowFields(scores, file: path, line: 1, prefix: fields.path("scores"))
        guard let score = scoresRow.present(scorer) else { throw scoresRow.fail(scorer, "required field is missing") }
        let scoreRow = try RowFields(score, file: path, line: 1, prefix: scoresRow.path(scorer))
        switch scoreRow.present("value") {
        case .string("C"): attempt.score = 1
        case .string("I"), .string("N"): attempt.score = 0
        case .string("P"): attempt.score = 0.5
        case .bool(let flag): attempt.success = flag
        case .number(let number) where number >= 0 && number <= 1: attempt.score = number
        case let value?:
            throw scoreRow.fail("value", "expected C, I, P, N, a boolean or a number in 0…1, found \(describe(value))")
        case nil:
            throw scoreRow.fail("value", "required field is missing")
        }
    }

    private func readUsage(_ fields: RowFields, into attempt: inout BenchmarkAttempt) throws(BenchmarkInputError) {
        guard let usage = fields.present("model_usage") else { return }
        let models = try RowFields(usage, file: path, line: 1, prefix: fields.path("model_usage"))
        var input = 0.0
        var output = 0.0
        var cost: Double?
        for name in models.members.keys.sorted() {
            guard let model = models.present(name) else { continue }
            let row = try RowFields(model, file: path, line: 1, prefix: models.path(name))
            input += try row.number("input_tokens", in: InputLimits.count) ?? 0
            output += try row.number("output_tokens", in: InputLimits.count) ?? 0
            if let total = try row.number("total_cost", in: InputLimits.cost) { cost = (cost ?? 0) + total }
        }
        attempt.inputTokens = input
        attempt.outputTokens = output
        attempt.costUSD = cost
    }

    private func countRefusedToolCalls(_ fields: RowFields) throws(BenchmarkInputError) -> Int {
        guard let events = fields.present("events") else { return 0 }
        guard let list = events.arrayValue else {
            throw fields.fail("events", "expected an array, found \(events.typeDescription)")
        }
        return list.filter { event in
            event["event"]?.stringValue == "approval"
                && ["reject", "escalate", "terminate"].contains(event["decision"]?.stringValue ?? "")
        }.count
    }

    private func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "'\(text)'"
        case .number(let number): String(number)
        default: value.typeDescription
        }
    }
}

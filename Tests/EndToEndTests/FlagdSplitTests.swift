import Foundation
import TestSupport
import Testing

/// `canary-deploy --router flagd`: the flags it renders through a rollout, evaluated by flagd's own in-process
/// evaluator from PyPI (pipelines/flagd/agent_version.py, through Tests/Senders/flagd-evaluate) for 20,000
/// conversations, and checked against a Swift reimplementation of flagd's bucketing (`FlagdFractional`).
@Suite("canary-deploy --router flagd: an in-process split with OpenFeature flagd", .serialized)
struct FlagdSplitTests {
    /// The rollout's start (SOURCE_DATE_EPOCH of its first command): 2026-11-26T00:00:00Z.
    static let t0 = 1_795_651_200
    static let drain = 1800
    static let delay = 60
    static let conversations = 20_000

    struct Query: Encodable {
        var conversation: String
        var started_at: Int?
        var now: Int
        var headers: [String: String]?
    }

    struct Answer: Decodable {
        var value: String
        var variant: String?
        var reason: String
    }

    /// The conversations: ids and start times spread over five minutes before the canary to ten after the
    /// promotion.
    static let started: [(id: String, at: Int)] = (0..<conversations).map { index in
        ("conversation-\(index)", t0 - 300 + index * 2700 / conversations)
    }

    /// Evaluates `queries` against `flags` with flagd's evaluator.
    static func evaluate(_ flags: String, _ queries: [Query]) throws -> [Answer] {
        let python = try ExternalTool.pythonEnvironment.require()
        let encoder = JSONEncoder()
        let input = try queries.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.joined(separator: "\n")
        let directory = try TemporaryDirectory()
        let queryFile = try directory.write("queries.jsonl", input + "\n")
        let result = try runCommand(
            "/bin/sh",
            [
                "-c", "\"$0\" \"$1\" --agent support-agent --flags \"$2\" < \"$3\"", python,
                Repository.path("Tests/Senders/flagd-evaluate"), flags, queryFile,
            ])
        #expect(result.status == 0, "\(result.output.suffix(2000))")
        let answers = result.output.split(separator: "\n").compactMap {
            try? JSONDecoder().decode(Answer.self, from: Data($0.utf8))
        }
        #expect(answers.count == queries.count, "\(result.output.suffix(2000))")
        return answers
    }

    /// A directory whose ledger holds a passing gate of the support agent, recorded at `time`.
    static func gated(at time: Int) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let gate = try Tool.run(
            "benchmark-gate",
            [
                "--candidate", Repository.path("Tests/Fixtures/native/pass/candidate.jsonl"), "--baseline",
                Repository.path("Tests/Fixtures/native/pass/baseline.jsonl"), "--agent", "support-agent", "--output",
                "gate.json", "--ledger", "ledger.sqlite",
            ], environment: ["SOURCE_DATE_EPOCH": String(time)], in: directory.url)
        #expect(gate.status == 0, "\(gate.stderr)")
        return directory
    }

    /// Runs a `canary-deploy` command at `time` (SOURCE_DATE_EPOCH) and keeps the flags it wrote as `name`.
    static func deploy(_ arguments: [String], at time: Int, keep name: String, in directory: TemporaryDirectory)
        throws -> String
    {
        let result = try Tool.run(
            "canary-deploy", arguments + ["--out-dir", "out"], environment: ["SOURCE_DATE_EPOCH": String(time)],
            in: directory.url)
        #expect(result.status == 0, "\(result.stderr)")
        let kept = directory.path(name)
        try? FileManager.default.removeItem(atPath: kept)
        try FileManager.default.copyItem(atPath: directory.path("out/flags.json"), toPath: kept)
        let checked = try Validator.check("flagd-flags", [kept])
        #expect(checked.status == 0, "\(checked.output)")
        return kept
    }

    @Test(
        "20,000 conversations through start, advance, advance, then promote or roll back: sticky until the drain ends, each step split at its weight, as flagd buckets",
        .requires(.pythonEnvironment))
    func rollout() throws {
        let directory = try Self.gated(at: Self.t0 - 3600)
        _ = try directory.write(
            "canary.yaml",
            "agent: {name: support-agent}\nrollout:\n  steps: [{weight: 10}, {weight: 25}, {weight: 50}]\n  drain_timeout: 30m\n"
        )
        let ledger = ["--ledger", "ledger.sqlite"]
        // (file, when it is in force, the weight of the period its transition began)
        var files: [(path: String, at: Int)] = []
        files.append(
            (
                try Self.deploy(
                    ["start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "flagd"] + ledger,
                    at: Self.t0,
                    keep: "f0.json", in: directory), Self.t0
            ))
        files.append(
            (
                try Self.deploy(
                    ["advance", "--force", "--reason", "to 25 %"] + ledger, at: Self.t0 + 600, keep: "f1.json",
                    in: directory),
                Self.t0 + 600
            ))
        files.append(
            (
                try Self.deploy(
                    ["advance", "--force", "--reason", "to 50 %"] + ledger, at: Self.t0 + 1200, keep: "f2.json",
                    in: directory),
                Self.t0 + 1200
            ))
        try FileManager.default.copyItem(
            atPath: directory.path("ledger.sqlite"), toPath: directory.path("other.sqlite"))
        let end = Self.t0 + 1800
        let promoted = try Self.deploy(
            ["promote", "--force", "--reason", "test"] + ledger, at: end, keep: "promoted.json", in: directory)
        let rolledBack = try Self.deploy(
            ["rollback", "--reason", "test", "--ledger", "other.sqlite"], at: end, keep: "rolled-back.json",
            in: directory)

        // Each file is evaluated just before the next transition, for every conversation started by then;
        // the final ones during the drain and after it.
        var first: [String: String] = [:]
        var changed: [String] = []
        func check(_ file: String, now: Int) throws -> [String: String] {
            let queries = Self.started.filter { $0.at <= now }.map {
                Query(conversation: $0.id, started_at: $0.at, now: now, headers: nil)
            }
            var got: [String: String] = [:]
            for (query, answer) in zip(queries, try Self.evaluate(file, queries)) {
                #expect(answer.reason == "TARGETING_MATCH")
                got[query.conversation] = answer.value
                if let earlier = first[query.conversation] {
                    if earlier != answer.value { changed.append(query.conversation) }
                } else {
                    first[query.conversation] = answer.value
                }
            }
            return got
        }
        _ = try check(files[0].path, now: files[1].at - 1)
        _ = try check(files[1].path, now: files[2].at - 1)
        _ = try check(files[2].path, now: end - 1)
        let firstBeforeEnd = first
        let duringDrain = try check(promoted, now: end + Self.drain - 1)
        #expect(changed.isEmpty, "\(changed.count) conversations changed version before the drain ended")
        first = firstBeforeEnd
        changed = []
        _ = try check(rolledBack, now: end + Self.drain - 1)
        #expect(changed.isEmpty, "\(changed.count) conversations changed version during the rollback's drain")

        // Every conversation started by then, on the winner once the drain is over.
        let afterPromotion = try check(promoted, now: end + Self.drain)
        #expect(Set(afterPromotion.values) == ["1.5.0"])
        let afterRollback = try check(rolledBack, now: end + Self.drain)
        #expect(Set(afterRollback.values) == ["1.4.0"])

        // Each period's new conversations split at its weight (a binomial bound at z = 3.89, two-sided 1e-4), and
        // each conversation's variant is the one flagd's bucketing gives it.
        let periods: [(from: Int, to: Int, weight: Int)] = [
            (Self.t0 - 300, Self.t0 + Self.delay, 0), (Self.t0 + Self.delay, Self.t0 + 600 + Self.delay, 10),
            (Self.t0 + 600 + Self.delay, Self.t0 + 1200 + Self.delay, 25),
            (Self.t0 + 1200 + Self.delay, end + Self.delay, 50), (end + Self.delay, Int.max, 100),
        ]
        var disagreements = 0
        for period in periods {
            // Conversations are read from the promoted flags during the drain: every one has started by then.
            let members = Self.started.filter { $0.at >= period.from && $0.at < period.to }
            #expect(members.count > 1000 || period.weight == 100 || period.weight == 0)
            let candidates = members.filter { duringDrain[$0.id] == "1.5.0" }.count
            let share = Double(candidates) / Double(max(1, members.count))
            let p = Double(period.weight) / 100
            let bound = 3.89 * (p * (1 - p) / Double(max(1, members.count))).squareRoot()
            #expect(abs(share - p) <= bound, "period at \(period.weight) %: \(candidates) of \(members.count)")
            guard period.weight > 0, period.weight < 100 else { continue }
            for member in members {
                let expected = FlagdFractional.variant(
                    flagKey: "support-agent", targetingKey: member.id,
                    weights: [("1.4.0", 100 - period.weight), ("1.5.0", period.weight)], encoding: .cbor)
                if expected != duringDrain[member.id] { disagreements += 1 }
            }
        }
        #expect(disagreements == 0)
    }

    @Test(
        "the pin header names a version while its pins are honoured; a context without a start time is a conversation from before",
        .requires(.pythonEnvironment))
    func pinsAndMissingStart() throws {
        let directory = try TemporaryDirectory()
        _ = try LoopFixtures.startedRun(
            in: directory, policy: "agent: {name: support-agent}\nrollout:\n  steps: [{weight: 10}, {weight: 50}]\n",
            router: "flagd")
        let flags = directory.path("out/flags.json")
        let now = Int(LoopFixtures.epoch)! + 3600
        let answers = try Self.evaluate(
            flags,
            [
                Query(conversation: "a", started_at: now - 10, now: now, headers: ["X-Agent-Version": "1.5.0"]),
                Query(conversation: "a", started_at: now - 10, now: now, headers: ["X-Agent-Version": "1.4.0"]),
                Query(conversation: "b", started_at: nil, now: now, headers: nil),
            ])
        #expect(answers.map(\.value) == ["1.5.0", "1.4.0", "1.4.0"])
    }

    @Test("shadow mode is refused with what flagd cannot do, and nothing is written")
    func shadowRefused() throws {
        let directory = try Self.gated(at: Self.t0 - 3600)
        _ = try directory.write(
            "canary.yaml", "agent: {name: support-agent}\nrollout:\n  mode: shadow\n  steps: [{weight: 10}]\n")
        let start = try Tool.run(
            "canary-deploy",
            [
                "start", "--gate", "gate.json", "--policy", "canary.yaml", "--router", "flagd", "--ledger",
                "ledger.sqlite", "--out-dir", "out",
            ],
            environment: LoopFixtures.environment, in: directory.url)
        #expect(start.status == 64)
        #expect(start.stderr.contains("router flagd cannot express shadow mode"), "\(start.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("out")))
    }

    @Test("the Swift bucketing gives flagd-testbed's fractional-v2 answers, and MurmurHash3's published values")
    func bucketingVectors() {
        // flagd-testbed v3.9.0 (commit 82ba89ec8db4), evaluator/gherkin/fractional.feature, @fractional-v2, with the
        // flags of evaluator/flags/testkit-flags.json: four variants at 25, bucketed by flag key (or a shared seed)
        // and user name.
        let quarters = ["clubs", "diamonds", "hearts", "spades"].map { ($0, 25) }
        for (name, value) in [
            ("jack", "hearts"), ("queen", "spades"), ("ten", "clubs"), ("nine", "diamonds"), ("3", "clubs"),
        ] {
            #expect(
                FlagdFractional.variant(
                    flagKey: "fractional-flag", targetingKey: name, weights: quarters, encoding: .concatenated)
                    == value, "\(name)")
        }
        for (name, value) in [("seven", "hearts"), ("eight", "diamonds"), ("nine", "clubs"), ("two", "spades")] {
            #expect(
                FlagdFractional.variant(
                    flagKey: "shared-seed", targetingKey: name, weights: quarters, encoding: .concatenated)
                    == value, "\(name)")
        }
        for (key, value) in [("jon@company.com", "heads"), ("jane@company.com", "tails")] {
            #expect(
                FlagdFractional.variant(
                    flagKey: "fractional-flag-shorthand", targetingKey: key, weights: [("heads", 1), ("tails", 1)],
                    encoding: .concatenated) == value, "\(key)")
        }
        // The hash edge cases: keys whose hash falls at the boundaries, bucketed by the targeting key alone.
        for (key, value) in [
            ("ejOoVL", "lower"), ("bY9fO-", "lower"), ("SI7p-", "lower"), ("6LvT0", "upper"), ("ceQdGm", "upper"),
        ] {
            #expect(
                FlagdFractional.variant(
                    flagKey: "", targetingKey: key, weights: [("lower", 50), ("upper", 50)], encoding: .concatenated)
                    == value, "\(key)")
        }
        // SMHasher's MurmurHash3_x86_32 verification values for seed 0 (as listed with the reference code).
        #expect(FlagdFractional.murmur3([]) == 0)
        #expect(FlagdFractional.murmur3(Array("hello".utf8)) == 0x248b_fa47)
        #expect(FlagdFractional.murmur3(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x2e4f_f723)
    }
}

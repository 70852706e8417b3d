import Foundation
import TestSupport
import Testing
import Yams

/// The ready-to-use pipelines call the tools as they are: every command line in the Jenkinsfile (which has no
/// offline validator), the GitLab and GitHub files and the local loop names a tool, a subcommand and options
/// that the built binaries' `--help` lists.
@Suite("pipeline files")
struct PipelineFilesTests {
    /// Every string in a YAML document (scripts, `args` of the composite action, `run` blocks).
    static func strings(in node: Node) -> [String] {
        switch node {
        case .scalar(let scalar): [scalar.string]
        case .mapping(let mapping): mapping.flatMap { strings(in: $0.value) }
        case .sequence(let sequence): sequence.flatMap { strings(in: $0) }
        case .alias: []
        }
    }

    /// The GitHub workflow's action steps as command lines: `stage` followed by `args` (one per line).
    static func actionInvocations(in node: Node) -> [String] {
        switch node {
        case .mapping(let mapping):
            var lines: [String] = []
            if let with = mapping["with"], let stage = with["stage"]?.string {
                // One argument per line: a line with a space is one (quoted) word.
                let arguments = (with["args"]?.string ?? "").split(separator: "\n").map {
                    $0.contains(" ") ? "\"\($0)\"" : String($0)
                }
                lines.append(([stage] + arguments).joined(separator: " "))
            }
            return lines + mapping.flatMap { actionInvocations(in: $0.value) }
        case .sequence(let sequence): return sequence.flatMap { actionInvocations(in: $0) }
        default: return []
        }
    }

    @Test("the Jenkinsfile calls only commands and options the tools have")
    func jenkinsfile() throws {
        let text = try String(contentsOfFile: Repository.path("pipelines/jenkins/Jenkinsfile"), encoding: .utf8)
        let invocations = CommandLines.invocations(inShell: text)
        try CommandLines.check(
            invocations, file: "Jenkinsfile",
            expectTools: ["benchmark-gate", "canary-deploy", "monitor", "feedback-export"])
        let subcommands = Set(invocations.compactMap { $0.subcommand.map { "\($0)" } })
        #expect(subcommands.isSuperset(of: ["start", "watch", "advance", "rollback", "promote"]), "\(subcommands)")
        // The stages of the loop, in order.
        let stages = text.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "stage('") else { return nil }
            return String(line[range.upperBound...].prefix { $0 != "'" })
        }
        #expect(stages == ["ledger", "install tools", "benchmark-gate", "canary step 1", "canary step 2", "promote"])
        #expect(text.contains("junit ") && text.contains("archiveArtifacts") && text.contains("input message:"))
        #expect(text.contains("lock(resource:"))
    }

    @Test("the GitLab pipeline calls only commands and options the tools have")
    func gitlab() throws {
        let text = try String(contentsOfFile: Repository.path("pipelines/gitlab/.gitlab-ci.yml"), encoding: .utf8)
        let document = try #require(try Yams.compose(yaml: text))
        let scripts = Self.strings(in: document).joined(separator: "\n")
        try CommandLines.check(
            CommandLines.invocations(inShell: scripts), file: ".gitlab-ci.yml",
            expectTools: ["benchmark-gate", "canary-deploy", "monitor", "feedback-export"])
        #expect(text.contains("resource_group: agent-canary-$AGENT_NAME") && text.contains("when: manual"))
    }

    @Test("the GitHub workflow's stages call only commands and options the tools have")
    func github() throws {
        let text = try String(
            contentsOfFile: Repository.path("pipelines/github/agent-canary-release.yml"), encoding: .utf8)
        let document = try #require(try Yams.compose(yaml: text))
        let lines = Self.actionInvocations(in: document).joined(separator: "\n")
        try CommandLines.check(
            CommandLines.invocations(inShell: lines), file: "agent-canary-release.yml",
            expectTools: ["benchmark-gate", "canary-deploy", "monitor", "feedback-export"])
        // Every job has a timeout and its own least-privilege permissions.
        let jobs = try #require(document["jobs"]?.mapping)
        for (name, job) in jobs {
            #expect(job["timeout-minutes"] != nil, "job \(name.string ?? "") has no timeout-minutes")
            #expect(job["permissions"]?["contents"]?.string == "read", "job \(name.string ?? "")")
        }
        #expect(document["concurrency"]?["group"] != nil)
    }

    @Test("the local loop calls only commands and options the tools have")
    func localLoop() throws {
        let text = try String(contentsOfFile: Repository.path("pipelines/local/run.sh"), encoding: .utf8)
        try CommandLines.check(
            CommandLines.invocations(inShell: text), file: "run.sh",
            expectTools: ["benchmark-gate", "canary-deploy", "monitor", "feedback-export", "agent-sim"])
    }
}

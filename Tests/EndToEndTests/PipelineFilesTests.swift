import Foundation
import TestSupport
import Testing
import Yams

/// The ready-to-use pipelines call the tools as they are: every command line in the Jenkinsfile (which has no
/// offline validator), the GitLab and GitHub files and the local loop names a tool, a subcommand and options
/// that the built binaries' `--help` lists.
@Suite("pipeline files")
struct PipelineFilesTests {
    static let tools = ["benchmark-gate", "canary-deploy", "monitor", "feedback-export", "agent-sim"]

    /// One invocation: the tool, its subcommand (if any) and the options it passes.
    struct Invocation: Hashable, CustomStringConvertible {
        var tool: String
        var subcommand: String?
        var options: [String]
        var description: String { ([tool, subcommand].compactMap { $0 } + options).joined(separator: " ") }
    }

    /// Shell words of a line: quotes group (and are removed), and unquoted `;`, `|`, `&`, `{`, `}` become
    /// separators of their own.
    static func words(_ line: Substring) -> [(text: String, quoted: Bool)] {
        var words: [(text: String, quoted: Bool)] = []
        var current = ""
        var quoted = false
        var quote: Character?
        func flush() {
            if !current.isEmpty || quoted { words.append((current, quoted)) }
            current = ""
            quoted = false
        }
        for character in line {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                quoted = true
            } else if character == " " || character == "\t" {
                flush()
            } else if ";|&{}".contains(character) {
                flush()
                words.append((String(character), false))
            } else {
                current.append(character)
            }
        }
        flush()
        return words
    }

    /// The invocations in shell text: lines joined at trailing backslashes, commands split at unquoted
    /// `;`, `|`, `&`, `{`, `}`, `if`, `then` and `!`, and read where a command starts with a tool (or
    /// `$bin/<tool>`).
    static func invocations(inShell text: String) -> [Invocation] {
        let joined = text.replacingOccurrences(of: "\\\n", with: " ")
        var found: [Invocation] = []
        for line in joined.split(separator: "\n") {
            var commands: [[(text: String, quoted: Bool)]] = [[]]
            for word in words(line) {
                if !word.quoted, [";", "|", "&", "{", "}", "if", "then", "!", "else", "fi"].contains(word.text) {
                    commands.append([])
                } else {
                    commands[commands.count - 1].append(word)
                }
            }
            for var command in commands {
                // Leading assignments (NAME=value) belong to the environment.
                while let first = command.first, !first.quoted, first.text.contains("="), !first.text.hasPrefix("-") {
                    command.removeFirst()
                }
                guard let first = command.first else { continue }
                let name = first.text.replacingOccurrences(of: "$bin/", with: "")
                guard tools.contains(name) else { continue }
                let rest = command.dropFirst()
                let subcommand = rest.first.flatMap { $0.quoted || $0.text.hasPrefix("-") ? nil : $0.text }
                let options = rest.filter { !$0.quoted && $0.text.hasPrefix("--") }.map {
                    String($0.text.prefix { $0 != "=" })
                }
                found.append(Invocation(tool: name, subcommand: subcommand, options: options))
            }
        }
        return found
    }

    /// Every string in a YAML document (scripts, `args` of the composite action, `run` blocks).
    static func strings(in node: Node) -> [String] {
        switch node {
        case .scalar(let scalar): [scalar.string]
        case .mapping(let mapping): mapping.flatMap { strings(in: $0.value) }
        case .sequence(let sequence): sequence.flatMap { strings(in: $0) }
        case .alias: []
        }
    }

    /// The GitHub workflow's action steps as command lines: `stage` followed by `args`.
    static func actionInvocations(in node: Node) -> [String] {
        switch node {
        case .mapping(let mapping):
            var lines: [String] = []
            if let with = mapping["with"], let stage = with["stage"]?.string {
                lines.append("\(stage) \(with["args"]?.string ?? "")")
            }
            return lines + mapping.flatMap { actionInvocations(in: $0.value) }
        case .sequence(let sequence): return sequence.flatMap { actionInvocations(in: $0) }
        default: return []
        }
    }

    static func help(_ tool: String, _ subcommand: String?) throws -> String {
        let result = try Tool.run(tool, [subcommand, "--help"].compactMap { $0 }, in: URL(fileURLWithPath: "/tmp"))
        #expect(result.status == 0, "\(tool) \(subcommand ?? "") --help: \(result.stderr)")
        return result.stdout
    }

    static func check(_ invocations: [Invocation], file: String, expectTools: Set<String>) throws {
        #expect(Set(invocations.map(\.tool)).isSuperset(of: expectTools), "\(file): \(invocations)")
        var helps: [String: String] = [:]
        for invocation in Set(invocations) {
            let key = "\(invocation.tool) \(invocation.subcommand ?? "")"
            if helps[key] == nil {
                let parent = try help(invocation.tool, nil)
                if let subcommand = invocation.subcommand {
                    #expect(
                        parent.contains("  \(subcommand) ") || parent.contains("  \(subcommand)\n"),
                        "\(file): '\(invocation.tool) \(subcommand)' is not a subcommand")
                    helps[key] = try help(invocation.tool, subcommand)
                } else if let line = parent.split(separator: "\n").first(where: { $0.contains(" (default) ") }) {
                    // No subcommand: the options are the default subcommand's.
                    let name = line.split(separator: " ").first.map(String.init)
                    helps[key] = try help(invocation.tool, name)
                } else {
                    helps[key] = parent
                }
            }
            for option in invocation.options {
                #expect(
                    helps[key]?.contains(option) == true,
                    "\(file): '\(invocation)' uses \(option), which is not in --help")
            }
        }
    }

    @Test("the Jenkinsfile calls only commands and options the tools have")
    func jenkinsfile() throws {
        let text = try String(contentsOfFile: Repository.path("pipelines/jenkins/Jenkinsfile"), encoding: .utf8)
        let invocations = Self.invocations(inShell: text)
        try Self.check(
            invocations, file: "Jenkinsfile",
            expectTools: ["benchmark-gate", "canary-deploy", "monitor", "feedback-export"])
        let subcommands = Set(invocations.compactMap { $0.subcommand.map { "\($0)" } })
        #expect(subcommands.isSuperset(of: ["start", "watch", "advance", "rollback", "promote"]), "\(subcommands)")
        // The stages of the loop, in order.
        let stages = text.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "stage('") else { return nil }
            return String(line[range.upperBound...].prefix { $0 != "'" })
        }
        #expect(stages == ["ledger", "build tools", "benchmark-gate", "canary step 1", "canary step 2", "promote"])
        #expect(text.contains("junit ") && text.contains("archiveArtifacts") && text.contains("input message:"))
        #expect(text.contains("lock(resource:"))
    }

    @Test("the GitLab pipeline calls only commands and options the tools have")
    func gitlab() throws {
        let text = try String(contentsOfFile: Repository.path("pipelines/gitlab/.gitlab-ci.yml"), encoding: .utf8)
        let document = try #require(try Yams.compose(yaml: text))
        let scripts = Self.strings(in: document).joined(separator: "\n")
        try Self.check(
            Self.invocations(inShell: scripts), file: ".gitlab-ci.yml",
            expectTools: ["benchmark-gate", "canary-deploy", "monitor", "feedback-export"])
        #expect(text.contains("resource_group: agent-canary-$AGENT_NAME") && text.contains("when: manual"))
    }

    @Test("the GitHub workflow's stages call only commands and options the tools have")
    func github() throws {
        let text = try String(
            contentsOfFile: Repository.path("pipelines/github/agent-canary-release.yml"), encoding: .utf8)
        let document = try #require(try Yams.compose(yaml: text))
        let lines = Self.actionInvocations(in: document).joined(separator: "\n")
        try Self.check(
            Self.invocations(inShell: lines), file: "agent-canary-release.yml",
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
        try Self.check(
            Self.invocations(inShell: text), file: "run.sh",
            expectTools: ["benchmark-gate", "canary-deploy", "monitor", "feedback-export", "agent-sim"])
    }
}

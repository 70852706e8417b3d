import Foundation
import Testing

/// Command lines of the tools in shell text (pipeline files, the local loop, the documentation's examples),
/// and the check that each names a subcommand and options the built tool's `--help` lists.
package enum CommandLines {
    /// The tools a command line may start with.
    package static let tools = ["benchmark-gate", "canary-deploy", "monitor", "feedback-export", "agent-sim"]

    /// One invocation: the tool, its subcommand (if any) and the options it passes.
    package struct Invocation: Hashable, CustomStringConvertible {
        package var tool: String
        package var subcommand: String?
        package var options: [String]
        package var description: String { ([tool, subcommand].compactMap { $0 } + options).joined(separator: " ") }
    }

    /// Shell words of a line: quotes group (and are removed), and unquoted `;`, `|`, `&`, `{`, `}` become
    /// separators of their own.
    package static func words(_ line: Substring) -> [(text: String, quoted: Bool)] {
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
    package static func invocations(inShell text: String) -> [Invocation] {
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

    package static func help(_ tool: String, _ subcommand: String?) throws -> String {
        let result = try Tool.run(tool, [subcommand, "--help"].compactMap { $0 }, in: URL(fileURLWithPath: "/tmp"))
        #expect(result.status == 0, "\(tool) \(subcommand ?? "") --help: \(result.stderr)")
        return result.stdout
    }

    package static func check(_ invocations: [Invocation], file: String, expectTools: Set<String>) throws {
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
}

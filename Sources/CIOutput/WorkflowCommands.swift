import Foundation
import Synchronization

/// The lines a step prints that GitHub Actions reads as workflow commands: any line of stdout or stderr that
/// starts with `::` (or the older `##[`). A tool prints untrusted text — event ids, versions, reasons that quote
/// them — and a newline inside such a value would start a line the runner obeys (`::error::…`, `::add-mask::…`,
/// `::stop-commands::…`).
///
/// The commands this process issues itself (its annotations) are registered when they are rendered; any other
/// line that would read as a command is printed between `::stop-commands::TOKEN` and `::TOKEN::`, GitHub's own
/// way to print untrusted output verbatim, with a token nobody can guess.
package enum WorkflowCommands {
    private static let issued = Mutex<Set<String>>([])

    /// Registers `lines` as commands this process issues, and returns them.
    static func issue(_ lines: [String]) -> [String] {
        issued.withLock { $0.formUnion(lines) }
        return lines
    }

    /// Whether `line` would be read as a command by the runner.
    static func readsAsCommand(_ line: Substring) -> Bool {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        return trimmed.hasPrefix("::") || trimmed.hasPrefix("##[")
    }

    /// `text` as printed under GitHub Actions (`GITHUB_ACTIONS=true` in `environment`): unchanged elsewhere, and
    /// when it holds no line that reads as a command it did not issue.
    package static func guarded(
        _ text: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        guard environment["GITHUB_ACTIONS"] == "true", text.contains("::") || text.contains("##[") else {
            return text
        }
        let known = issued.withLock { $0 }
        var output: [String] = []
        var token: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let foreign = readsAsCommand(line) && !known.contains(String(line))
            if foreign, token == nil {
                let fresh = "agent-canary-" + UUID().uuidString.lowercased()
                output.append("::stop-commands::\(fresh)")
                token = fresh
            } else if !foreign, let open = token, readsAsCommand(line) {
                // An issued command: commands resume first.
                output.append("::\(open)::")
                token = nil
            }
            output.append(String(line))
        }
        if let open = token {
            // Resume before the text's own last (empty) line, so the output ends as the text did.
            if output.last == "" {
                output.insert("::\(open)::", at: output.count - 1)
            } else {
                output.append("::\(open)::")
            }
        }
        return output.joined(separator: "\n")
    }
}

import Foundation
import TestSupport
import Testing

/// The documentation — the README, the Markdown beside the pipelines and schemas, the DocC articles — has no
/// dead link, reaches every part the README once held, and names only commands and options the tools have.
@Suite("documentation")
struct DocumentationTests {
    /// Every Markdown document of the documentation, relative to the repository root.
    static let documents: [String] = {
        let root = Repository.root
        var found = ["README.md"]
        for folder in ["pipelines", "schemas", "Sources"] {
            let enumerator = FileManager.default.enumerator(atPath: root.appendingPathComponent(folder).path)
            while let path = enumerator?.nextObject() as? String {
                guard path.hasSuffix(".md") else { continue }
                if folder == "Sources" && !path.contains(".docc/") { continue }
                found.append("\(folder)/\(path)")
            }
        }
        return found.sorted()
    }()

    static func text(_ document: String) throws -> String {
        try String(contentsOfFile: Repository.path(document), encoding: .utf8)
    }

    /// The text outside fenced code blocks and code spans, and the code inside them (one span or block line
    /// per line; a span may run over a line break, never over a blank line).
    static func split(_ text: String) -> (prose: String, code: String) {
        var prose = ""
        var code = ""
        var fenced = false
        var inSpan = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                fenced.toggle()
                continue
            }
            if fenced {
                code += line + "\n"
                continue
            }
            if line.trimmingCharacters(in: .whitespaces).isEmpty, inSpan {
                inSpan = false
                code += "\n"
            }
            for character in line {
                if character == "`" {
                    inSpan.toggle()
                    if !inSpan { code += "\n" }
                } else if inSpan {
                    code.append(character)
                } else {
                    prose.append(character)
                }
            }
            if inSpan { code += " " }
            prose += "\n"
        }
        return (prose, code)
    }

    /// GitHub's anchor for a heading: lower case, letters, digits, `-` and `_` kept, spaces as `-`.
    static func anchor(_ heading: String) -> String {
        String(
            heading.lowercased().compactMap { character -> Character? in
                if character == " " { return "-" }
                if character.isLetter || character.isNumber || character == "-" || character == "_" { return character }
                return nil
            })
    }

    static func headings(_ text: String) -> [String] {
        var fenced = false
        return text.split(separator: "\n").compactMap { line in
            if line.hasPrefix("```") { fenced.toggle() }
            guard !fenced, line.hasPrefix("#") else { return nil }
            return line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
        }
    }

    /// A relative path with its `.` and `..` resolved (`standardizingPath` leaves a relative path's `..`).
    static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." { parts.removeLast() } else { parts.append(part) }
        }
        return parts.joined(separator: "/")
    }

    /// The links of a document: Markdown links (relative ones resolved against the document) and DocC's
    /// `<doc:Article#Heading>`.
    static func links(_ document: String) throws -> [(target: String, anchor: String?)] {
        let prose = split(try text(document)).prose
        var found: [(String, String?)] = []
        let folder = (document as NSString).deletingLastPathComponent
        for match in prose.matches(of: /\]\(([^)\s]+)\)/) {
            let link = String(match.1)
            if link.hasPrefix("http://") || link.hasPrefix("https://") || link.hasPrefix("mailto:") { continue }
            let parts = link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            let path = parts[0].isEmpty ? document : ((folder as NSString).appendingPathComponent(String(parts[0])))
            found.append((normalized(path), parts.count > 1 ? String(parts[1]) : nil))
        }
        for match in prose.matches(of: /<doc:([A-Za-z0-9_-]+)(#[^>]+)?>/) {
            let path = (folder as NSString).appendingPathComponent("\(match.1).md")
            found.append((normalized(path), match.2.map { String($0.dropFirst()) }))
        }
        return found
    }

    @Test("every link in the README, the pipelines' and schemas' Markdown and the DocC articles resolves")
    func noDeadLink() throws {
        #expect(Self.documents.count >= 14, "\(Self.documents)")
        var checked = 0
        for document in Self.documents {
            for link in try Self.links(document) {
                checked += 1
                let exists = FileManager.default.fileExists(atPath: Repository.path(link.target))
                #expect(exists, "\(document): the link to \(link.target) is dead")
                guard exists, let anchor = link.anchor, link.target.hasSuffix(".md") else { continue }
                let anchors = Self.headings(try Self.text(link.target)).flatMap { [Self.anchor($0), $0] }
                #expect(
                    anchors.contains(anchor) || anchors.contains(anchor.replacingOccurrences(of: "-", with: " ")),
                    "\(document): \(link.target) has no heading #\(anchor)")
            }
        }
        #expect(checked >= 30, "only \(checked) links")
    }

    @Test("the README is at most 20 KB, and every part it once held is reachable from it")
    func readmeReachesEverything() throws {
        let readme = try Self.text("README.md")
        #expect(readme.utf8.count <= 20_000, "README.md is \(readme.utf8.count) bytes")
        var reached: Set<String> = []
        var queue = ["README.md"]
        while let document = queue.popLast() {
            guard reached.insert(document).inserted, document.hasSuffix(".md") else { continue }
            queue += try Self.links(document).map(\.target).filter {
                FileManager.default.fileExists(atPath: Repository.path($0))
            }
        }
        let headings = Set(try reached.filter { $0.hasSuffix(".md") }.flatMap { Self.headings(try Self.text($0)) })
        for part in [
            "benchmark-gate", "canary-deploy", "monitor", "Agents traced by OpenTelemetry", "monitor serve",
            "feedback-export", "agent-sim", "The release policy", "Notifications", "``RunLedger``",
            "The shared ledger (PostgreSQL)", "Artifacts and schemas", "Pipelines",
            "Integrations: the controllers and flags teams already run", "Releases and installing",
            "Decision quality", "Performance", "Development", "Input limits",
        ] {
            #expect(headings.contains(part), "no document reachable from the README has the heading '\(part)'")
        }
    }

    @Test("the documentation's commands and options are the tools' own (their --help)")
    func commandsAgreeWithHelp() throws {
        var invocations = 0
        for document in Self.documents {
            let found = CommandLines.invocations(inShell: Self.split(try Self.text(document)).code)
            invocations += found.count
            try CommandLines.check(found, file: document, expectTools: [])
        }
        #expect(invocations >= 100, "only \(invocations) command lines found")
    }
}

import Foundation
import JSONLines
import Yams

/// A YAML or JSON value with ordered mappings, so rendered manifests read in the order people expect
/// (`apiVersion`, `kind`, `metadata`, `spec`).
indirect enum Manifest {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case list([Manifest])
    case map([(String, Manifest)])

    /// The value as a YAML document.
    func yaml() -> String {
        (try? Yams.serialize(node: node(), indent: 2, width: -1, allowUnicode: true)) ?? ""
    }

    /// The value as pretty-printed JSON with keys in order.
    func json(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .string(let text): return jsonStringLiteral(text)
        case .int(let value): return String(value)
        case .double(let value): return value.rounded() == value ? String(format: "%.1f", value) : String(value)
        case .bool(let value): return value ? "true" : "false"
        case .list(let items):
            guard !items.isEmpty else { return "[]" }
            return "[\n" + items.map { inner + $0.json(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .map(let pairs):
            guard !pairs.isEmpty else { return "{}" }
            return "{\n"
                + pairs.map { "\(inner)\(jsonStringLiteral($0.0)): \($0.1.json(indent: inner))" }.joined(
                    separator: ",\n")
                + "\n\(indent)}"
        }
    }

    private func node() -> Node {
        switch self {
        case .string(let text):
            return Node(text, Tag(.str), needsQuotes(text) ? .doubleQuoted : .plain)
        case .int(let value): return Node(String(value), Tag(.int))
        case .double(let value): return Node(String(value), Tag(.float))
        case .bool(let value): return Node(value ? "true" : "false", Tag(.bool))
        case .list(let items): return Node(items.map { $0.node() }, Tag(.seq), .block)
        case .map(let pairs): return Node(pairs.map { (Node($0.0), $0.1.node()) }, Tag(.map), .block)
        }
    }

    private func needsQuotes(_ text: String) -> Bool {
        if text.isEmpty || Double(text) != nil || Int(text) != nil { return true }
        if ["true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"].contains(text.lowercased()) {
            return true
        }
        if text.first.map({ "-?:,[]{}#&*!|>'\"%@` ".contains($0) }) == true { return true }
        if text.contains(": ") || text.contains(" #") || text.contains("\\") { return true }
        return text.first?.isNumber == true
    }
}

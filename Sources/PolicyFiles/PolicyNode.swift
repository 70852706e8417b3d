import Policy
import ToolContract
import Yams

/// A YAML node with the dotted path and line it came from, so every policy error can name both.
struct PolicyNode {
    let node: Node
    let path: String
    let file: String

    var line: Int { node.mark?.line ?? 1 }

    func invalid(_ reason: String) -> PolicyError {
        .invalidField(file: file, line: line, field: path, reason: reason)
    }

    func child(_ key: String, _ value: Node) -> PolicyNode {
        // A list index follows its list's name directly: `rollout.steps[0]`, not `rollout.steps.[0]`.
        PolicyNode(node: value, path: path.isEmpty || key.hasPrefix("[") ? path + key : "\(path).\(key)", file: file)
    }

    /// The members of a mapping; keys outside `allowed` are refused.
    func members(allowed: [String]) throws(PolicyError) -> [String: PolicyNode] {
        guard case .mapping(let mapping) = node else { throw invalid("expected a mapping, found \(kind)") }
        var members: [String: PolicyNode] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else { throw invalid("mapping keys must be strings") }
            let name = scalar.string
            guard allowed.contains(name) else {
                let field = path.isEmpty ? name : "\(path).\(name)"
                throw .unknownField(file: file, line: key.mark?.line ?? line, field: field, allowed: allowed)
            }
            members[name] = child(name, value)
        }
        return members
    }

    var kind: String {
        switch node {
        case .scalar(let scalar): scalar.tag.description.hasSuffix("null") || scalar.string == "~" ? "null" : "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a sequence"
        case .alias: "an alias"
        }
    }

    func string() throws(PolicyError) -> String {
        // A plain `null` or `~` is YAML's null, not the text "null" (quote it to mean the text).
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty,
            scalar.style != .plain || node.null == nil
        else {
            let found = node.null != nil ? "null" : node.scalar?.string.isEmpty == true ? "an empty string" : kind
            throw invalid("expected a non-empty string, found \(found)")
        }
        return scalar.string
    }

    /// A string of `grammar`: a value that can reach rendered routing configuration.
    func value(_ grammar: ConfigValue) throws(PolicyError) -> String {
        let text = try string()
        guard grammar.accepts(text) else {
            throw invalid("'\(text.prefix(80))' is not a valid \(grammar.rawValue) (\(grammar.rule))")
        }
        return text
    }

    func bool() throws(PolicyError) -> Bool {
        guard let value = node.bool else { throw invalid("expected true or false, found '\(node.string ?? kind)'") }
        return value
    }

    func double(in range: ClosedRange<Double>) throws(PolicyError) -> Double {
        guard let value = node.float ?? node.int.map(Double.init), value.isFinite else {
            throw invalid("expected a number, found '\(node.string ?? kind)'")
        }
        guard range.contains(value) else {
            throw invalid("\(value) is outside the allowed range \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func int(in range: ClosedRange<Int>) throws(PolicyError) -> Int {
        guard let value = node.int else { throw invalid("expected an integer, found '\(node.string ?? kind)'") }
        guard range.contains(value) else {
            throw invalid("\(value) is outside the allowed range \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// The longest duration a policy may give (ten years, in seconds): anything longer is a mistake, and the
    /// bound keeps every time computed from a duration far from overflowing.
    static let longestDuration = 10 * 365 * 86_400

    /// A duration: whole seconds, or a number with `s`, `m` or `h` (`90s`, `10m`, `1h30m`), at most ten years.
    func duration() throws(PolicyError) -> Int {
        let tooLong = "is longer than ten years (\(Self.longestDuration) s)"
        if let seconds = node.int {
            guard seconds >= 0 else { throw invalid("a duration cannot be negative") }
            guard seconds <= Self.longestDuration else { throw invalid("\(seconds) s \(tooLong)") }
            return seconds
        }
        let text = try string()
        let malformed = "'\(text)' is not a duration such as 90s, 10m or 1h30m"
        var total = 0
        var digits = ""
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            guard let value = Int(digits) else {
                // Digits too many for an Int are a duration far too long, not a malformed one.
                throw invalid(digits.isEmpty ? malformed : "'\(text)' \(tooLong)")
            }
            let unit: Int
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            default: throw invalid(malformed)
            }
            let (seconds, overflow) = value.multipliedReportingOverflow(by: unit)
            guard !overflow, seconds <= Self.longestDuration - total else { throw invalid("'\(text)' \(tooLong)") }
            total += seconds
            digits = ""
        }
        guard digits.isEmpty else { throw invalid(malformed) }
        return total
    }

    /// An HTTP header or cookie name (``ConfigValue/headerName``).
    func headerName() throws(PolicyError) -> String {
        try value(.headerName)
    }

    func oneOf(_ choices: [String]) throws(PolicyError) -> String {
        let value = try string()
        guard choices.contains(value) else {
            throw invalid("'\(value)' is not one of: \(choices.joined(separator: ", "))")
        }
        return value
    }

    /// The value as one of a vocabulary's cases, named by their raw values.
    func oneOf<Choice: RawRepresentable<String> & CaseIterable>(_: Choice.Type) throws(PolicyError) -> Choice {
        let value = try oneOf(Choice.allCases.map(\.rawValue))
        guard let choice = Choice(rawValue: value) else { throw invalid("'\(value)' is not a \(Choice.self)") }
        return choice
    }
}

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
        PolicyNode(node: value, path: path.isEmpty ? key : "\(path).\(key)", file: file)
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
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            throw invalid("expected a non-empty string")
        }
        return scalar.string
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

    /// A duration: whole seconds, or a number with `s`, `m` or `h` (`90s`, `10m`, `1h30m`).
    func duration() throws(PolicyError) -> Int {
        if let seconds = node.int {
            guard seconds >= 0 else { throw invalid("a duration cannot be negative") }
            return seconds
        }
        let text = try string()
        var total = 0
        var digits = ""
        for character in text {
            if character.isNumber {
                digits.append(character)
                continue
            }
            guard let value = Int(digits) else {
                throw invalid("'\(text)' is not a duration such as 90s, 10m or 1h30m")
            }
            switch character {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            default: throw invalid("'\(text)' is not a duration such as 90s, 10m or 1h30m")
            }
            digits = ""
        }
        guard digits.isEmpty else { throw invalid("'\(text)' is not a duration such as 90s, 10m or 1h30m") }
        return total
    }

    /// An HTTP header or cookie name (RFC 9110 token characters).
    func headerName() throws(PolicyError) -> String {
        let text = try string()
        let allowed = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        guard text.allSatisfy({ allowed.contains($0) }) else {
            throw invalid("'\(text)' is not a valid header or cookie name")
        }
        return text
    }

    func oneOf(_ choices: [String]) throws(PolicyError) -> String {
        let value = try string()
        guard choices.contains(value) else {
            throw invalid("'\(value)' is not one of: \(choices.joined(separator: ", "))")
        }
        return value
    }
}

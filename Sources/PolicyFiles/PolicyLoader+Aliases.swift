import Policy
import Yams

extension PolicyLoader {
    /// Refuses a policy whose YAML uses an alias as a mapping key, or any key that is not a plain scalar.
    ///
    /// Yams checks a mapping's keys for duplicates by hashing them, and an alias key whose anchor nests other
    /// aliases hashes a tree exponential in the text's size (a 517-byte policy took hours). So before the real
    /// parse, a copy of the text in which no anchor or alias can remain — every `&name` removed, every `*`
    /// replaced by U+E000 — is composed, which takes time linear in its size; a key of the copy that is not a
    /// scalar, or that starts with U+E000, was written with an alias. Aliases as values stay allowed.
    static func refuseAliasKeys(_ text: String, file: String) throws(PolicyError) {
        guard text.contains("*"), text.contains("&") else { return }  // no alias can refer to an anchor
        let copy: Node?
        do {
            copy = try Yams.compose(yaml: withoutAnchorsAndAliases(text))
        } catch let error as YamlError {
            throw .syntax(
                file: file, line: line(of: error),
                reason: "the policy's YAML anchors and aliases could not be checked: \(reasonText(of: error))")
        } catch {
            throw .syntax(file: file, line: 1, reason: String(describing: error))
        }
        if let copy { try refuseNonScalarKeys(copy, file: file) }
    }

    static let aliasMarker: Character = "\u{E000}"

    /// `text` with every anchor (`&name` and the blanks after it) removed and every `*` replaced by U+E000.
    static func withoutAnchorsAndAliases(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var index = 0
        let nameEnd: Set<Unicode.Scalar> = [" ", "\t", "\n", "\r", ",", "[", "]", "{", "}"]
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "&", index + 1 < scalars.count, !nameEnd.contains(scalars[index + 1]) {
                index += 1
                while index < scalars.count, !nameEnd.contains(scalars[index]) { index += 1 }
                while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
                continue
            }
            out.append(scalar == "*" ? "\u{E000}" : scalar)
            index += 1
        }
        return String(out)
    }

    private static func refuseNonScalarKeys(_ node: Node, file: String) throws(PolicyError) {
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                let line = key.mark?.line ?? 1
                guard case .scalar(let scalar) = key else {
                    throw .syntax(
                        file: file, line: line, reason: "a mapping key must be a plain name, not a list or map")
                }
                guard scalar.string.first != aliasMarker else {
                    throw .syntax(
                        file: file, line: line,
                        reason: "a YAML alias (*name) is used as a mapping key; write the key out instead")
                }
                try refuseNonScalarKeys(value, file: file)
            }
        case .sequence(let sequence):
            for item in sequence { try refuseNonScalarKeys(item, file: file) }
        default:
            break
        }
    }
}

/// A duration on the command line: `90s`, `5m`, `1h30m`, `7d`, `0.5s`; a bare number is seconds.
package enum DurationArgument {
    /// The duration `text` names, or `nil` when it is not one.
    package static func parse(_ text: String) -> Duration? {
        var total = 0.0
        var digits = ""
        for character in text {
            if character.isNumber || character == "." {
                digits.append(character)
                continue
            }
            guard let value = Double(digits) else { return nil }
            switch character {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86400
            default: return nil
            }
            digits = ""
        }
        if !digits.isEmpty {
            guard let value = Double(digits) else { return nil }
            total += value
        }
        guard !text.isEmpty, total.isFinite, total < 1e9 else { return nil }
        return .milliseconds(Int64((total * 1000).rounded()))
    }
}

import Foundation

/// One kind of personal data or secret and how to find it.
package struct RedactionRule: Sendable {
    /// The name written into the placeholder and counted in a manifest (`email`, `payment_card`, …).
    package var name: String
    let expression: NSRegularExpression
    /// An extra check on a match (the Luhn checksum for card numbers); `nil` accepts every match.
    let accept: (@Sendable (String) -> Bool)?
    /// A feature every text the expression can match has (see ``TextFeatures``); texts without it skip the
    /// expression. `nil` (the policy's patterns) runs the expression on every text.
    let requires: TextFeatures?

    /// A rule from a regular expression (ICU syntax); `accept` filters matches; texts without `requires` skip
    /// the expression.
    package init(
        name: String, pattern: String, accept: (@Sendable (String) -> Bool)? = nil, requires: TextFeatures? = nil
    ) throws {
        self.name = name
        self.expression = try NSRegularExpression(pattern: pattern, options: [])
        self.accept = accept
        self.requires = requires
    }
}

/// Removes personal data and secrets from text before anything is written: e-mail addresses, phone numbers,
/// payment card numbers (Luhn-checked), IPv4 and IPv6 addresses, API keys, bearer tokens, AWS access keys, and
/// the policy's own patterns. Each match becomes `[REDACTED:<rule>]`; the counts say how many values each rule
/// removed.
package struct Redactor: Sendable {
    package let rules: [RedactionRule]

    /// Whether texts without a rule's feature skip its expression (off only to test that the features are
    /// necessary: the output must be the same either way).
    let usesFeatures: Bool

    /// The built-in rules followed by `extra` (name → pattern) from the policy.
    package init(extra: [(name: String, pattern: String)] = [], usesFeatures: Bool = true) throws {
        var rules = try Self.builtIn()
        for (name, pattern) in extra { rules.append(try RedactionRule(name: name, pattern: pattern)) }
        self.rules = rules
        self.usesFeatures = usesFeatures
    }

    /// The built-in rules, in the order they apply (secrets before the shapes they contain). Each has a byte-level
    /// pre-filter that passes every text its expression can match, so most texts never reach the expression.
    static func builtIn() throws -> [RedactionRule] {
        [
            try RedactionRule(
                name: "aws_access_key", pattern: #"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"#,
                requires: .awsPrefix),
            try RedactionRule(
                name: "bearer_token", pattern: #"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]+=*"#,
                requires: .bearer),
            try RedactionRule(
                name: "api_key",
                pattern:
                    #"\b(?:sk|pk|rk)-(?:[A-Za-z0-9]+-)*[A-Za-z0-9]{16,}\b|\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bxox[abpr]-[A-Za-z0-9-]{10,}\b|(?i)\b(?:api[_-]?key|secret|token|password)\b\s*[:=]\s*["']?[^\s"',;]{8,}"#,
                requires: .keyword
            ),
            try RedactionRule(
                name: "email", pattern: #"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"#,
                requires: .email),
            try RedactionRule(
                name: "payment_card", pattern: #"\b(?:\d[ \-]?){12,18}\d\b"#,
                accept: { Self.luhnValid($0) },
                requires: .cardDigits),
            try RedactionRule(
                name: "ipv4",
                pattern: #"\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b"#,
                requires: .dottedDigits),
            try RedactionRule(
                name: "ipv6",
                pattern:
                    #"(?i)\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|(?i)\b(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?\b"#,
                requires: .hexColons
            ),
            try RedactionRule(
                name: "phone",
                pattern:
                    #"(?<![\w.])(?:\+\d{1,3}[ .\-]?)?(?:\(\d{2,4}\)[ .\-]?)?\d{2,4}(?:[ .\-]\d{2,4}){1,4}(?![\w.])|\+\d{8,15}\b"#,
                accept: { text in
                    let digits = text.filter(\.isNumber).count
                    // Dates (2026-11-26, 2026.11.26) have the shape of a phone number but are not one.
                    let isDate =
                        text.range(of: #"^\d{4}[\-./]\d{1,2}[\-./]\d{1,2}$"#, options: .regularExpression) != nil
                    return digits >= 7 && digits <= 15 && !isDate
                },
                requires: .phoneDigits),
        ]
    }

    /// `text` with every match replaced, and how many values each rule removed.
    package func redact(_ text: String) -> (text: String, counts: [String: Int]) {
        var current = text
        var counts: [String: Int] = [:]
        // Found in one pass over the bytes, and again after a rule changed the text.
        var features: TextFeatures?
        for rule in rules {
            if usesFeatures, let required = rule.requires {
                if features == nil { features = current.withUTF8 { TextFeatures.of($0) } }
                if let features, !features.contains(required) { continue }
            }
            let source = current as NSString
            let matches = rule.expression.matches(in: current, range: NSRange(location: 0, length: source.length))
            guard !matches.isEmpty else { continue }
            var result = ""
            var last = 0
            var removed = 0
            for match in matches {
                let value = source.substring(with: match.range)
                if let accept = rule.accept, !accept(value) { continue }
                result += source.substring(with: NSRange(location: last, length: match.range.location - last))
                result += "[REDACTED:\(rule.name)]"
                last = match.range.location + match.range.length
                removed += 1
            }
            guard removed > 0 else { continue }
            result += source.substring(from: last)
            current = result
            features = nil
            counts[rule.name, default: 0] += removed
        }
        return (current, counts)
    }

    /// Whether the digits of `text` (separators ignored) pass the Luhn checksum (ISO/IEC 7812-1).
    package static func luhnValid(_ text: String) -> Bool {
        let digits = text.compactMap(\.wholeNumberValue)
        guard digits.count >= 13, digits.count <= 19 else { return false }
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            if index % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }
}

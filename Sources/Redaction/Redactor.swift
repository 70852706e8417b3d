import Foundation

/// One kind of personal data or secret and how to find it.
package struct RedactionRule: Sendable {
    /// The name written into the placeholder and counted in a manifest (`email`, `payment_card`, …).
    package var name: String
    let expression: NSRegularExpression
    /// An extra check on a match (the Luhn checksum for card numbers); `nil` accepts every match.
    let accept: (@Sendable (String) -> Bool)?
    /// A cheap test a text must pass for the expression to be worth running (a byte it cannot match without).
    let mayMatch: (@Sendable (String) -> Bool)?

    /// A rule from a regular expression (ICU syntax); `accept` filters matches; `mayMatch` skips texts that
    /// cannot match.
    package init(
        name: String, pattern: String, accept: (@Sendable (String) -> Bool)? = nil,
        mayMatch: (@Sendable (String) -> Bool)? = nil
    ) throws {
        self.name = name
        self.expression = try NSRegularExpression(pattern: pattern, options: [])
        self.accept = accept
        self.mayMatch = mayMatch
    }
}

/// Removes personal data and secrets from text before anything is written: e-mail addresses, phone numbers,
/// payment card numbers (Luhn-checked), IPv4 and IPv6 addresses, API keys, bearer tokens, AWS access keys, and
/// the policy's own patterns. Each match becomes `[REDACTED:<rule>]`; the counts say how many values each rule
/// removed.
package struct Redactor: Sendable {
    package let rules: [RedactionRule]

    /// The built-in rules followed by `extra` (name → pattern) from the policy.
    package init(extra: [(name: String, pattern: String)] = []) throws {
        var rules = try Self.builtIn()
        for (name, pattern) in extra { rules.append(try RedactionRule(name: name, pattern: pattern)) }
        self.rules = rules
    }

    /// The built-in rules, in the order they apply (secrets before the shapes they contain).
    static func builtIn() throws -> [RedactionRule] {
        [
            try RedactionRule(
                name: "aws_access_key", pattern: #"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"#,
                mayMatch: { $0.utf8.contains(UInt8(ascii: "A")) }),
            try RedactionRule(
                name: "bearer_token", pattern: #"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]+=*"#,
                mayMatch: { Self.containsCaseInsensitive($0, "bearer") }),
            try RedactionRule(
                name: "api_key",
                pattern:
                    #"\b(?:sk|pk|rk)-(?:[A-Za-z0-9]+-)*[A-Za-z0-9]{16,}\b|\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bxox[abpr]-[A-Za-z0-9-]{10,}\b|(?i)\b(?:api[_-]?key|secret|token|password)\b\s*[:=]\s*["']?[^\s"',;]{8,}"#,
                mayMatch: { text in
                    Self.containsCaseInsensitive(text, "sk-") || Self.containsCaseInsensitive(text, "pk-")
                        || Self.containsCaseInsensitive(text, "rk-") || Self.containsCaseInsensitive(text, "gh")
                        || Self.containsCaseInsensitive(text, "xox") || Self.containsCaseInsensitive(text, "key")
                        || Self.containsCaseInsensitive(text, "secret") || Self.containsCaseInsensitive(text, "token")
                        || Self.containsCaseInsensitive(text, "password")
                }
            ),
            try RedactionRule(
                name: "email", pattern: #"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"#,
                mayMatch: { $0.utf8.contains(UInt8(ascii: "@")) }),
            try RedactionRule(
                name: "payment_card", pattern: #"\b(?:\d[ \-]?){12,18}\d\b"#,
                accept: { Self.luhnValid($0) }, mayMatch: Self.hasDigitRun(12)),
            try RedactionRule(
                name: "ipv4",
                pattern: #"\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b"#,
                mayMatch: { $0.utf8.contains(UInt8(ascii: ".")) && Self.hasDigitRun(4)($0) }),
            try RedactionRule(
                name: "ipv6",
                pattern:
                    #"(?i)\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|(?i)\b(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?\b"#,
                mayMatch: { text in Self.hasDigitRun(1)(text) && text.utf8.contains(0x3A) }
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
                }, mayMatch: Self.hasDigitRun(7)),
        ]
    }

    /// Whether `text` contains `word` (lowercase ASCII), ignoring case.
    static func containsCaseInsensitive(_ text: String, _ word: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count >= pattern.count, let first = pattern.first else { return false }
            var start = 0
            while start + pattern.count <= bytes.count {
                if bytes[start] | 0x20 == first {
                    var offset = 1
                    while offset < pattern.count, bytes[start + offset] | 0x20 == pattern[offset] { offset += 1 }
                    if offset == pattern.count { return true }
                }
                start += 1
            }
            return false
        }
    }

    /// A test that the text holds at least `count` digits (the rules on numbers need that many).
    static func hasDigitRun(_ count: Int) -> @Sendable (String) -> Bool {
        { text in
            var digits = 0
            for byte in text.utf8 where byte >= 0x30 && byte <= 0x39 {
                digits += 1
                if digits >= count { return true }
            }
            return false
        }
    }

    /// `text` with every match replaced, and how many values each rule removed.
    package func redact(_ text: String) -> (text: String, counts: [String: Int]) {
        var current = text
        var counts: [String: Int] = [:]
        for rule in rules {
            if let mayMatch = rule.mayMatch, !mayMatch(current) { continue }
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

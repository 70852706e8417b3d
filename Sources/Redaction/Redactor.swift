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

/// Removes personal data and secrets from text before anything is written: PEM private keys, bearer tokens, JSON
/// Web Tokens, AWS access and secret keys, API keys (OpenAI, Anthropic, Stripe, GitHub, Slack, Google, and values
/// after `api_key=`, `token:`…), e-mail addresses, IBANs (mod-97 checked), payment card numbers (Luhn-checked),
/// IPv4 and IPv6 addresses, US social security numbers, phone numbers, and the policy's own patterns. Each match
/// becomes `[REDACTED:<rule>]`; the counts say how many values each rule removed. A text that is a JSON document
/// is redacted string by string, on the decoded text (see ``redact(_:)``).
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
            // A PEM private key (PKCS #1, #8, SEC 1, OpenSSH), header to footer; without its footer, as far as
            // its base64 body and header lines go.
            try RedactionRule(
                name: "private_key",
                pattern:
                    #"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----(?:[\s\S]*?-----END \1PRIVATE KEY-----|[A-Za-z0-9+/=\s:,\-]*)"#,
                requires: .pemHeader),
            try RedactionRule(
                name: "bearer_token", pattern: #"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]+=*"#,
                requires: .bearer),
            // A JSON Web Token (RFC 7519): a base64url header that starts `{"`, a payload and a signature, which
            // is empty for unsigned tokens.
            try RedactionRule(
                name: "jwt", pattern: #"\beyJ[A-Za-z0-9_\-]{6,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*"#,
                requires: .jwtHeader),
            try RedactionRule(
                name: "aws_access_key", pattern: #"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"#,
                requires: .awsPrefix),
            try RedactionRule(
                name: "api_key",
                pattern: [
                    // OpenAI (`sk-proj-`, `sk-svcacct-`, `sk-admin-`), Anthropic (`sk-ant-`) and other `sk-` keys.
                    #"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{20,}"#,
                    // Stripe secret, publishable, restricted and webhook keys.
                    #"\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|\bwhsec_[A-Za-z0-9]{20,}"#,
                    // GitHub tokens, classic and fine-grained.
                    #"\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{22,}"#,
                    // Slack tokens and Google API keys.
                    #"\bxox[abeprs]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_\-]{35}"#,
                    // A value after a word that says what it is.
                    #"(?i)\b(?:api[_-]?key|secret|token|password)\b\s*[:=]\s*["']?[^\s"',;]{8,}"#,
                ].joined(separator: "|"),
                requires: .keyword
            ),
            // An AWS secret access key (40 characters of base64, never alone in a longer run), told from hexadecimal
            // digests and words by holding upper- and lower-case letters and digits.
            try RedactionRule(
                name: "aws_secret_key", pattern: #"(?<![A-Za-z0-9/+=_\-])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=_\-])"#,
                accept: { Self.mixesCharacterClasses($0) },
                requires: .longToken),
            try RedactionRule(
                name: "email", pattern: #"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"#,
                requires: .email),
            // An IBAN (ISO 13616), with or without the spaces of its printed form, mod-97 checked.
            try RedactionRule(
                name: "iban", pattern: #"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"#,
                accept: { Self.ibanValid($0) },
                requires: .ibanPrefix),
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
            // A US social security number in its printed form (no area 000, 666 or 9xx; no group 00; no serial
            // 0000).
            try RedactionRule(
                name: "us_ssn",
                pattern: #"(?<![\w.\-])(?!000|666|9)[0-9]{3}-(?!00)[0-9]{2}-(?!0000)[0-9]{4}(?![\w]|[.\-][0-9])"#,
                requires: .phoneDigits),
            // Digit groups with separators; the end of a sentence may follow, a further digit group may not.
            try RedactionRule(
                name: "phone",
                pattern:
                    #"(?<![\w.])(?:\+\d{1,3}[ .\-]?)?(?:\(\d{2,4}\)[ .\-]?)?\d{2,4}(?:[ .\-]\d{2,4}){1,4}(?![\w]|[.\-]\d)|\+\d{8,15}\b"#,
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

    /// `text` with every match replaced, and how many values each rule removed. The rules run on `text` as
    /// it is, even when it is JSON (see ``redact(_:)`` for documents).
    func redactPlain(_ text: String) -> (text: String, counts: [String: Int]) {
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

    /// Whether `text` (spaces ignored) is an IBAN by length (15 to 34) and the ISO 7064 mod-97-10 check: the
    /// first four characters moved to the end, letters read as 10…35, the number leaves 1 when divided by 97.
    package static func ibanValid(_ text: String) -> Bool {
        let characters = Array(text.utf8.filter { $0 != UInt8(ascii: " ") })
        guard characters.count >= 15, characters.count <= 34 else { return false }
        var remainder = 0
        for byte in characters[4...] + characters[..<4] {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): remainder = (remainder * 10 + Int(byte - 48)) % 97
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): remainder = (remainder * 100 + Int(byte - 55)) % 97
            default: return false
            }
        }
        return remainder == 1
    }

    /// Whether `text` holds an upper-case letter, a lower-case letter and a digit (random keys do; digests,
    /// identifiers and words rarely all three).
    static func mixesCharacterClasses(_ text: String) -> Bool {
        var upper = false
        var lower = false
        var digit = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): upper = true
            case UInt8(ascii: "a")...UInt8(ascii: "z"): lower = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = true
            default: break
            }
        }
        return upper && lower && digit
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

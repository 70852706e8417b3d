import Foundation
import Redaction
import Statistics
import TestSupport
import Testing

/// A corpus of planted personal data and secrets: none may survive redaction; look-alikes must.
@Suite("Redaction of personal data and secrets")
struct RedactionTests {
    static let planted: [(value: String, rule: String)] = [
        ("jane.doe@example.com", "email"), ("a+b@mail.co.uk", "email"),
        ("+1 415 555 2671", "phone"), ("(020) 7946 0958", "phone"), ("415-555-0199", "phone"),
        ("+442079460958", "phone"),
        ("4111 1111 1111 1111", "payment_card"), ("5500-0000-0000-0004", "payment_card"),
        ("378282246310005", "payment_card"),
        ("192.168.1.20", "ipv4"), ("10.0.0.1", "ipv4"), ("2001:db8::ff00:42:8329", "ipv6"),
        ("fe80:0:0:0:202:b3ff:fe1e:8329", "ipv6"),
        ("sk-proj-abcdefghijklmnopqrstuvwx123456", "api_key"), ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "api_key"),
        ("api_key=ZXCVBNMASDFGHJKL", "api_key"),
        ("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc", "bearer_token"), ("AKIAIOSFODNN7EXAMPLE", "aws_access_key"),
    ]

    /// Look-alikes that are not personal data: a card number failing the Luhn check, versions, dates,
    /// timestamps, ids.
    static let survivors = [
        "4111 1111 1111 1112", "version 1.4.0", "2026-11-26", "2026-11-26T12:00:00Z", "order 12345", "task sim-c0-t1",
        "cost 0.0156",
    ]

    @Test("no planted value survives, each counted under its rule; look-alikes survive")
    func corpus() throws {
        let redactor = try Redactor()
        var text = ""
        for (index, item) in Self.planted.enumerated() {
            text += "Message \(index): please use \(item.value) for this.\n"
        }
        for survivor in Self.survivors { text += "Note: \(survivor) stays.\n" }
        let (redacted, counts) = redactor.redact(text)
        for item in Self.planted {
            #expect(!redacted.contains(item.value), "\(item.value) survived")
        }
        var expected: [String: Int] = [:]
        for item in Self.planted { expected[item.rule, default: 0] += 1 }
        #expect(counts == expected, "\(counts)")
        for survivor in Self.survivors {
            #expect(redacted.contains(survivor), "\(survivor) was redacted")
        }
        #expect(redacted.contains("[REDACTED:email]"))
    }

    /// The byte-level features only let texts skip expressions that cannot match them: each planted value alone,
    /// inside JSON, in upper or lower case, and a seeded corpus of look-alike texts are redacted exactly as when
    /// every expression runs on every text.
    @Test("texts skip only the expressions that cannot match them")
    func featuresAreNecessary() throws {
        let fast = try Redactor()
        let full = try Redactor(usesFeatures: false)
        var texts: [String] = []
        for item in Self.planted {
            texts += [
                item.value, "{\"content\":\"\(item.value)\"}", item.value.uppercased(), item.value.lowercased(),
                "x\(item.value)y", "\(item.value).",
            ]
        }
        texts += Self.survivors + RedactionCorpus.texts.map(\.text) + RedactionCorpus.lookAlikes
        // Fragments whose shapes sit near the rules' edges: digit runs with separators, dotted and coloned
        // numbers, keywords, non-ASCII digits.
        let fragments = [
            "4111", "1111", " ", "-", ".", ":", "::", "(020)", "+44", "@", "a", "b@c.de", "key", "Token", "SECRET",
            "password", "=", "bearer", "sk-", "ghp_", "xoxb-", "AKIA", "ABCDEFGHIJKLMNOP", "١٢٣٤٥٦٧", "０１２３４５６７",
            "fe80", "db8", "192", "168", "10", "\n", "\"", "é", "2026-11-26", "order", "x", "-----BEGIN ",
            "PRIVATE KEY-----", "eyJ", "sk_live_", "rk_test_", "whsec_", "github_pat_", "AIza", "DE89", "GB82", "NL91",
            "078-05-1120", "_", "/", "+", "wJalrXUtnFEMI/K7MDENG/", "bPxRfiCYEXAMPLEKEY", "0417164300", "ABNA",
        ]
        var generator = SeededGenerator(seed: 20_261_126)
        for _ in 0..<3_000 {
            let count = Int.random(in: 1...12, using: &generator)
            texts.append((0..<count).map { _ in fragments.randomElement(using: &generator) ?? "" }.joined())
        }
        for text in texts {
            let expected = full.redact(text)
            let actual = fast.redact(text)
            #expect(actual.text == expected.text, "\(text)")
            #expect(actual.counts == expected.counts, "\(text)")
        }
    }

    /// Realistic texts (sentences with punctuation, JSON with escapes, Markdown, pasted configuration): every
    /// secret is gone once the output is decoded as a reader would, each counted under its rule; the output of a
    /// JSON text is still JSON; look-alikes pass unchanged.
    @Test("a corpus of realistic texts loses every secret and keeps every look-alike")
    func realisticCorpus() throws {
        let redactor = try Redactor()
        for item in RedactionCorpus.texts {
            let (redacted, counts) = redactor.redact(item.text)
            var reading = redacted
            for _ in 0..<3 { reading = RedactionCorpus.decoded(reading) }
            for secret in item.secrets {
                #expect(!reading.contains(secret), "\(secret) survived in \(redacted)")
            }
            #expect(Set(counts.keys) == Set(item.rules), "\(item.text) → \(counts)")
            if item.text.hasPrefix("{") {
                #expect((try? JSONSerialization.jsonObject(with: Data(redacted.utf8))) != nil, "\(redacted)")
            }
        }
        for text in RedactionCorpus.lookAlikes {
            let (redacted, counts) = redactor.redact(text)
            #expect(redacted == text && counts.isEmpty, "\(redacted)")
        }
    }

    /// IBAN check digits (ISO 7064 mod 97-10) on the registry's examples; one changed digit fails.
    @Test(
        "IBAN check digits",
        arguments: [
            ("DE89370400440532013000", true), ("GB82WEST12345698765432", true), ("GB82 WEST 1234 5698 7654 32", true),
            ("FR1420041010050500013M02606", true), ("NL91ABNA0417164300", true), ("DE89370400440532013001", false),
            ("GB82WEST1234569876543", false),
        ])
    func iban(text: String, valid: Bool) {
        #expect(Redactor.ibanValid(text) == valid)
    }

    @Test("policy patterns apply after the built-in ones")
    func policyPatterns() throws {
        let redactor = try Redactor(extra: [(name: "customer_id", pattern: #"\bCUST-\d{6}\b"#)])
        let (redacted, counts) = redactor.redact("Customer CUST-004217 wrote from jane@example.com")
        #expect(redacted == "Customer [REDACTED:customer_id] wrote from [REDACTED:email]")
        #expect(counts == ["customer_id": 1, "email": 1])
    }

    /// Luhn reference values: the test card numbers published by the card networks are valid; changing the
    /// last digit breaks the checksum.
    @Test(
        "Luhn checksum",
        arguments: [
            ("4111111111111111", true), ("4111111111111112", false), ("5500000000000004", true),
            ("378282246310005", true), ("6011111111111117", true), ("1234567812345678", false),
        ])
    func luhn(number: String, valid: Bool) {
        #expect(Redactor.luhnValid(number) == valid)
    }
}

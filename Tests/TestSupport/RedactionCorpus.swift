import Crypto
import Foundation
import Statistics

/// Realistic texts an agent sees and writes — support tickets, chat messages as JSON, Markdown, logs pasted by
/// users — with the personal data and secrets each holds in its real format, and look-alikes that must stay.
///
/// The formats follow their owners' documentation: AWS's example key pair (IAM user guide), the jwt.io example
/// token, OpenAI project and service-account keys (`sk-proj-`, `sk-svcacct-`, base64url with `_` and `-`),
/// Anthropic keys (`sk-ant-api03-`), GitHub classic and fine-grained tokens (`ghp_`, `github_pat_` with 22 + 59
/// characters), Stripe keys (`sk_live_`, `rk_test_`, `whsec_`), Google API keys (`AIza` + 35), Slack bot tokens,
/// the IBAN examples of the ISO 13616 registry (DE, GB, FR, NL), the SSA's retired number 078-05-1120, and a PEM
/// private key made here with swift-crypto.
package enum RedactionCorpus {
    package struct Text: Sendable {
        /// The text as the telemetry carries it.
        package var text: String
        /// What must not survive, as the reader would see it after decoding.
        package var secrets: [String]
        /// The rules that must count it.
        package var rules: [String]
    }

    /// Characters of base64url, in which most modern API keys are written.
    private static let base64URL = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")

    /// `count` characters of base64url (letters and digits only without `symbols`), the same on every run.
    package static func key(_ count: Int, seed: UInt64, symbols: Bool = true) -> String {
        var generator = SeededGenerator(seed: seed)
        let alphabet = symbols ? base64URL : Array(base64URL.prefix(62))
        return String((0..<count).map { _ in alphabet.randomElement(using: &generator) ?? "a" })
    }

    package static let openAIProject = "sk-proj-" + key(156, seed: 1)
    package static let openAIServiceAccount = "sk-svcacct-" + key(156, seed: 2)
    package static let anthropic = "sk-ant-api03-" + key(93, seed: 3) + "AA"
    package static let githubClassic = "ghp_" + key(36, seed: 4, symbols: false)
    package static let githubFineGrained =
        "github_pat_" + key(22, seed: 5, symbols: false) + "_" + key(59, seed: 6, symbols: false)
    package static let stripeLive = "sk_live_" + key(99, seed: 7, symbols: false)
    package static let stripeRestricted = "rk_test_" + key(24, seed: 8, symbols: false)
    package static let stripeWebhook = "whsec_" + key(32, seed: 9, symbols: false)
    package static let google = "AIza" + key(35, seed: 10)
    package static let slack = "xoxb-2048613257-4096123456789-" + key(24, seed: 11, symbols: false)
    package static let awsAccessKey = "AKIAIOSFODNN7EXAMPLE"
    package static let awsSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    package static let jwt =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
        + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    /// A PKCS #8 key, and the same body under the PKCS #1 and OpenSSH labels.
    package static let pemKey = P256.Signing.PrivateKey().pemRepresentation
    package static var pemBody: String {
        pemKey.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined(separator: "\n")
    }

    /// The texts with what each must lose.
    package static let texts: [Text] = [
        Text(
            text: "Hi, I'm Jane. Call me back at 415-555-0199. Or at (020) 7946 0958, evenings.",
            secrets: ["415-555-0199", "7946 0958"], rules: ["phone"]),
        Text(
            text: "My SSN is 078-05-1120. Please update the tax form; my mobile is +44 20 7946 0958!",
            secrets: ["078-05-1120", "7946 0958"], rules: ["us_ssn", "phone"]),
        Text(
            text: "I rotated the key but the old one (\(openAIProject)) still works?",
            secrets: [openAIProject, key(156, seed: 1)], rules: ["api_key"]),
        Text(
            text: "export OPENAI_API_KEY=\(openAIServiceAccount)\nexport ANTHROPIC_API_KEY=\(anthropic)",
            secrets: [openAIServiceAccount, anthropic], rules: ["api_key"]),
        Text(
            text: "```\n[default]\naws_access_key_id = \(awsAccessKey)\naws_secret_access_key = \(awsSecretKey)\n```",
            secrets: [awsAccessKey, awsSecretKey], rules: ["aws_access_key", "aws_secret_key"]),
        Text(
            text: "The deploy failed; here is my token: \(githubFineGrained). The old \(githubClassic) was revoked.",
            secrets: [githubFineGrained, githubClassic], rules: ["api_key"]),
        Text(
            text:
                "Stripe says `\(stripeLive)` is invalid, and the webhook secret \(stripeWebhook), hm. Restricted: \(stripeRestricted).",
            secrets: [stripeLive, stripeWebhook, stripeRestricted], rules: ["api_key"]),
        Text(
            text: "Maps broke after I pasted \(google) into the config, and Slack (\(slack)) too.",
            secrets: [google, slack], rules: ["api_key"]),
        Text(
            text: "curl -H 'Cookie: session=\(jwt)' https://app.example.com/api/me",
            secrets: [jwt], rules: ["jwt"]),
        Text(
            text: "Here's the server key, can you check it?\n\(pemKey)\nThanks!",
            secrets: [pemBody], rules: ["private_key"]),
        Text(
            text: "old deploy key:\n-----BEGIN OPENSSH PRIVATE KEY-----\n\(pemBody)\n-----END OPENSSH PRIVATE KEY-----",
            secrets: [pemBody], rules: ["private_key"]),
        Text(
            text: "Refund to DE89370400440532013000, or GB82 WEST 1234 5698 7654 32. FR: FR1420041010050500013M02606.",
            secrets: ["DE89370400440532013000", "GB82 WEST 1234 5698 7654 32", "FR1420041010050500013M02606"],
            rules: ["iban"]),
        Text(
            text:
                "# Ticket\n\n- **Customer**: [Ops](mailto:ops-team@corp.example.org)\n- **IBAN**: NL91ABNA0417164300\n",
            secrets: ["ops-team@corp.example.org", "NL91ABNA0417164300"], rules: ["email", "iban"]),
        Text(
            text:
                #"{"messages":[{"role":"user","content":"mail me at jane\u002edoe\u0040example.com, card 4111\u00201111 1111 1111."}],"metadata":{"card":5500000000000004}}"#,
            secrets: ["jane.doe@example.com", "4111 1111 1111 1111", "5500000000000004"],
            rules: ["email", "payment_card"]),
        Text(
            text:
                #"{"tool":"send_email","arguments":"{\"to\":\"bob\\u0040example.net\",\"key\":\"AKIAIOSFODNN7EXAMPLE\"}"}"#,
            secrets: ["bob@example.net", awsAccessKey], rules: ["email", "aws_access_key"]),
        Text(
            text: "{\"note\":\"key follows\\n" + pemKey.replacingOccurrences(of: "\n", with: "\\n") + "\"}",
            secrets: [pemBody], rules: ["private_key"]),
        Text(
            text: "Server 10.20.30.40 and fe80::202:b3ff:fe1e:8329 — Authorization: Bearer abc.def-ghi_jkl",
            secrets: ["10.20.30.40", "fe80::202:b3ff:fe1e:8329", "abc.def-ghi_jkl"],
            rules: ["ipv4", "ipv6", "bearer_token"]),
    ]

    /// Texts that hold nothing to remove, though they look like it.
    package static let lookAlikes = [
        "Release 1.5.0 shipped on 2026-11-26, see commit 3f786850e387550fdab836ed7e6dc881de23001b.",
        "The SHA-256 is 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.",
        "Request 123e4567-e89b-12d3-a456-426614174000 took 1,234.56 ms at 2026-11-26T12:00:00Z.",
        "Order #A1234567 costs $1,299.00; see RFC 7519 and ISO 8601.",
        "The tokenizer's secretary keeps a password-less login for task sim-c0-t1.",
        "Card 4111 1111 1111 1112 fails the checksum; DE89370400440532013001 fails mod 97.",
    ]

    /// `text` with JSON escapes decoded, as a reader of the exported file would see it.
    package static func decoded(_ text: String) -> String {
        var result = ""
        var characters = Array(text.unicodeScalars)[...]
        while let scalar = characters.popFirst() {
            guard scalar == "\\", let next = characters.first else {
                result.unicodeScalars.append(scalar)
                continue
            }
            characters.removeFirst()
            switch next {
            case "n": result += "\n"
            case "t": result += "\t"
            case "r": result += "\r"
            case "u":
                let hex = String(String.UnicodeScalarView(characters.prefix(4)))
                if let value = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(value) {
                    result.unicodeScalars.append(decoded)
                    characters.removeFirst(min(4, characters.count))
                } else {
                    result += "\\u"
                }
            default: result.unicodeScalars.append(next)
            }
        }
        return result
    }
}

/// The grammar of a value that can reach rendered routing configuration (nginx, YAML, JSON, AWS and GCP
/// calls), checked where it enters — the policy, benchmark results, flags, a gate artifact — and again by
/// the routing plan every renderer reads.
///
/// Each grammar admits what its real values use and nothing a configuration format gives a meaning to
/// (quotes, semicolons, braces, whitespace, newlines, `$`, `#`), so no value can end a directive or start
/// one.
package enum ConfigValue: String, Sendable, CaseIterable {
    /// An agent, service, namespace or gateway name: letters, digits, `.`, `_`, `-`, starting with a letter
    /// or digit, at most 253 characters.
    case name
    /// A version: letters, digits and `. _ - + / : @` (semantic versions with pre-release and build, and
    /// model names such as `provider/model:tag`), at most 128 characters.
    case version
    /// A host name, a wildcard host (`*.example.com`) or an IPv4 address.
    case host
    /// An address the gateway connects to or listens on: `host:port`, `[v6]:port`, or a port.
    case address
    /// A cloud resource name: an AWS ARN or a GCP resource path.
    case resource
    /// The value a header or cookie must have in an A/B or dark-launch rule.
    case matchValue

    private var limit: Int {
        switch self {
        case .name, .host: 253
        case .version: 128
        case .address: 261
        case .resource: 2048
        case .matchValue: 256
        }
    }

    private func allowed(_ byte: UInt8) -> Bool {
        let alphanumeric = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        switch self {
        case .name: return alphanumeric || byte == 0x2E || byte == 0x5F || byte == 0x2D
        case .version: return alphanumeric || Array("._-+/:@".utf8).contains(byte)
        case .host: return alphanumeric || byte == 0x2E || byte == 0x2D || byte == 0x2A
        case .address:
            return alphanumeric || byte == 0x2E || byte == 0x2D || byte == 0x3A || byte == 0x5B || byte == 0x5D
        case .resource: return alphanumeric || Array("-._:/+=,@".utf8).contains(byte)
        // Cookie-octets (RFC 6265) without the ones a configuration gives a meaning ($ { } # ' ` ( ) < > [ ] ?).
        case .matchValue: return alphanumeric || Array("-._~+/:=@%!*^|&".utf8).contains(byte)
        }
    }

    /// Whether `text` is a value of this grammar.
    package func accepts(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= limit, bytes.allSatisfy(allowed) else { return false }
        switch self {
        case .name, .version:
            // Starts with a letter or digit, so it is never read as an option or a path.
            return (0x30...0x39).contains(bytes[0]) || (0x41...0x5A).contains(bytes[0])
                || (0x61...0x7A).contains(bytes[0])
        default:
            return true
        }
    }

    /// What the grammar admits, for messages.
    package var rule: String {
        switch self {
        case .name: "letters, digits, '.', '_' and '-', starting with a letter or digit"
        case .version: "letters, digits and . _ - + / : @, starting with a letter or digit"
        case .host: "a host name (letters, digits, '.', '-', a leading '*.') or an IPv4 address"
        case .address: "host:port, [IPv6]:port or a port"
        case .resource: "an AWS ARN or a GCP resource path (letters, digits and - . _ : / + = , @)"
        case .matchValue: "letters, digits and - . _ ~ + / : = @ % ! * ^ | &"
        }
    }
}

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
    /// A host name, a wildcard host (`*.example.com`) or an IPv4 address: letters, digits, `.`, `-`, `*`.
    case host
    /// An address the gateway connects to or listens on: `host:port`, `[v6]:port`, or a port.
    case address
    /// A cloud resource name: an AWS ARN or a GCP resource path.
    case resource
    /// The value a header or cookie must have in an A/B or dark-launch rule.
    case matchValue
    /// A header or cookie name: letters, digits, `.`, `_`, `-` (the RFC 9110 tokens names are made of,
    /// without the `$`, quotes and backquote that nginx and the shells read).
    case headerName

    private var limit: Int {
        switch self {
        case .name, .host: 253
        case .version: 128
        case .address: 261
        case .resource: 2048
        case .matchValue: 256
        case .headerName: 128
        }
    }

    /// The punctuation each grammar admits beside letters and digits.
    private var punctuation: [UInt8] {
        switch self {
        case .name, .headerName: Self.nameMarks
        case .version: Self.versionMarks
        case .host: Self.hostMarks
        case .address: Self.addressMarks
        case .resource: Self.resourceMarks
        case .matchValue: Self.matchMarks
        }
    }

    private static let nameMarks = Array("._-".utf8)
    private static let versionMarks = Array("._-+/:@".utf8)
    private static let hostMarks = Array(".-*".utf8)
    private static let addressMarks = Array(".-:[]".utf8)
    private static let resourceMarks = Array("-._:/+=,@".utf8)
    // Cookie-octets (RFC 6265) without the ones a configuration gives a meaning ($ { } # ' ` ( ) < > [ ] ?).
    private static let matchMarks = Array("-._~+/:=@%!*^|&".utf8)

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// Whether `text` is a value of this grammar.
    package func accepts(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let marks = punctuation
        guard !bytes.isEmpty, bytes.count <= limit,
            bytes.allSatisfy({ Self.isAlphanumeric($0) || marks.contains($0) })
        else { return false }
        switch self {
        // Starts with a letter or digit, so it is never read as an option or a path.
        case .name, .version: return Self.isAlphanumeric(bytes[0])
        default: return true
        }
    }

    /// What the grammar admits, for messages.
    package var rule: String {
        switch self {
        case .name: "letters, digits, '.', '_' and '-', starting with a letter or digit"
        case .version: "letters, digits and . _ - + / : @, starting with a letter or digit"
        case .host: "letters, digits, '.', '-' and '*' (a host name, *.example.com or an IPv4 address)"
        case .address: "host:port, [IPv6]:port or a port"
        case .resource: "an AWS ARN or a GCP resource path (letters, digits and - . _ : / + = , @)"
        case .matchValue: "letters, digits and - . _ ~ + / : = @ % ! * ^ | &"
        case .headerName: "letters, digits, '.', '_' and '-'"
        }
    }
}

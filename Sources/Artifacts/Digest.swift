import Crypto
import Foundation

/// SHA-256 digests as lower-case hex, the form artifacts and the ledger use.
package enum Digest {
    /// The SHA-256 of some bytes.
    package static func sha256(_ data: some DataProtocol) -> String {
        SHA256.hash(data: data).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    /// The SHA-256 of a file's bytes.
    package static func sha256(ofFile path: String) throws -> String {
        sha256(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

import Crypto
import Foundation

/// SHA-256 digests as lower-case hex, the form artifacts and the ledger use.
package enum Digest {
    /// The SHA-256 of some bytes.
    package static func sha256(_ data: some DataProtocol) -> String {
        hex(SHA256.hash(data: data))
    }

    /// The SHA-256 of texts joined by a separator byte (0x01), without building the joined text, and its first
    /// 16 bytes as a number: a key for sets of digests that does not hash 64 characters.
    package static func sha256Keyed(parts: [String]) -> (hex: String, key: UInt128) {
        var hasher = SHA256()
        for (index, part) in parts.enumerated() {
            if index > 0 { withUnsafeBytes(of: UInt8(1)) { hasher.update(bufferPointer: $0) } }
            var part = part
            part.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        let digest = hasher.finalize()
        var key: UInt128 = 0
        for byte in digest.prefix(16) { key = key << 8 | UInt128(byte) }
        return (hex(digest), key)
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A SHA-256 fed in pieces (a file's bytes as they are written, so it is never read back).
    package struct Running {
        var hasher = SHA256()

        /// A digest of nothing yet.
        package init() {}

        /// Adds bytes.
        package mutating func update(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }

        /// The digest of everything added, as lower-case hex.
        package func hex() -> String { Digest.hex(hasher.finalize()) }
    }
}

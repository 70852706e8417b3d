import Crypto
import Foundation

/// SHA-256 digests as lower-case hex, the form artifacts and the ledger use.
package enum Digest {
    /// The SHA-256 of some bytes.
    package static func sha256(_ data: some DataProtocol) -> String {
        hex(SHA256.hash(data: data))
    }

    /// The SHA-256 of texts joined by a separator byte (0x01), without building the joined text.
    package static func sha256(parts: [String]) -> String {
        var hasher = SHA256()
        for (index, part) in parts.enumerated() {
            if index > 0 { hasher.update(data: [UInt8(1)]) }
            var part = part
            part.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return hex(hasher.finalize())
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

    /// The SHA-256 of a file's bytes.
    package static func sha256(ofFile path: String) throws -> String {
        sha256(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

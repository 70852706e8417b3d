import Crypto
import Foundation

/// The token `--token-file` names, and the check of a request's `Authorization: Bearer` header against it.
struct BearerToken: Sendable {
    /// The SHA-256 of the token: requests are compared by their digest, so the comparison takes the same time
    /// whatever the header holds, and the token is not kept in memory as text.
    private let digest: [UInt8]

    /// The token of `file`: its content without surrounding white space. Errors name the file, never the token.
    init(file: String) throws(IntakeSetupError) {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .tokenFile(path: file, reason: "cannot be read")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw .tokenFile(path: file, reason: "is empty") }
        guard !token.contains(where: { $0.isWhitespace }) else {
            throw .tokenFile(path: file, reason: "holds white space inside the token")
        }
        digest = Array(SHA256.hash(data: Data(token.utf8)))
    }

    /// Whether `authorization` (the header's value) is `Bearer <the token>`, compared in constant time.
    func admits(_ authorization: String?) -> Bool {
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else {
            return false
        }
        let offered = Array(SHA256.hash(data: Data(authorization.dropFirst(7).utf8)))
        var difference: UInt8 = 0
        for (a, b) in zip(offered, digest) { difference |= a ^ b }
        return difference == 0
    }
}

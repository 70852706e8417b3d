import Foundation
import ToolContract

extension Digest {
    /// The SHA-256 of a file's bytes.
    package static func sha256(ofFile path: String) throws -> String {
        sha256(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

import Foundation
import ToolContract

/// Reads input files, telling a missing file (exit 66) from an unreadable one.
package enum InputFileReader {
    /// The most bytes an input read whole may hold (1 GiB): benchmark results of 10,000 tasks × 5 trials
    /// take about 15 MB, and a device that never ends (`/dev/zero`) is refused instead of filling memory.
    package static let maxBytes = 1 << 30

    /// The bytes of the file at `path`, or `-` for standard input, at most `limit` of them. With `json`, the
    /// first byte after whitespace (and a UTF-8 byte order mark) must be `{` or `[`, checked as soon as it is
    /// read: a device or a binary file is refused after its first chunk, not after `limit` bytes.
    package static func read(_ path: String, limit: Int = maxBytes, json: Bool = false) throws(ArtifactError) -> Data {
        if path != "-" {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .missingFile(path: path)
            }
            if isDirectory.boolValue {
                throw .unreadable(path: path, reason: "it is a directory")
            }
        }
        let descriptor = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { if path != "-" { close(descriptor) } }
        // Read in chunks up to the limit, whatever the file is (a pipe, a device or a file still growing).
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var checked = false
        while true {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { return data }
            guard data.count + count <= limit else { throw .tooLarge(path: path, limit: limit) }
            let start = data.count
            data.append(contentsOf: chunk[0..<count])
            if json, !checked { checked = try startsLikeJSON(data, from: start, path: path) }
        }
    }

    /// Whether the first significant byte of `data` was found at or after `start` (and is `{` or `[`); throws
    /// when it is another byte.
    private static func startsLikeJSON(_ data: Data, from start: Int, path: String) throws(ArtifactError) -> Bool {
        var index = start
        if index < 3 {
            // A byte order mark, perhaps split across reads.
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            if bom.starts(with: data.prefix(3)) {
                guard data.count >= 3 else { return false }
                index = 3
            } else {
                index = 0
            }
        }
        while index < data.count {
            let byte = data[data.startIndex + index]
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["): return true
            default: throw .notJSON(path: path, offset: index, byte: byte)
            }
        }
        return false
    }
}

import Foundation

/// Reads input files, telling a missing file (exit 66) from an unreadable one.
package enum InputFileReader {
    /// The most bytes an input read whole may hold (1 GiB): benchmark results of 10,000 tasks × 5 trials
    /// take about 15 MB, and a device that never ends (`/dev/zero`) is refused instead of filling memory.
    package static let maxBytes = 1 << 30

    /// The bytes of the file at `path`, or `-` for standard input, at most `limit` of them.
    package static func read(_ path: String, limit: Int = maxBytes) throws(ArtifactError) -> Data {
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
        while true {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { return data }
            guard data.count + count <= limit else { throw .tooLarge(path: path, limit: limit) }
            data.append(contentsOf: chunk[0..<count])
        }
    }
}

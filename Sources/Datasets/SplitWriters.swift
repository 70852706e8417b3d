import Artifacts
import Foundation
import JSONLines
import ToolContract

/// One output file per split, written as lines arrive (buffered), checksummed when finished.
package final class SplitWriters {
    let directory: URL
    let fileExtension: String
    let order: [String]
    var handles: [FileHandle] = []
    var buffers: [[UInt8]] = []
    var counts: [Int] = []
    var digests: [Digest.Running] = []

    init(directory: URL, splits: [String], fileExtension: String, header: String?) throws {
        self.directory = directory
        self.fileExtension = fileExtension
        order = splits
        for split in splits {
            let url = directory.appendingPathComponent("\(split).\(fileExtension)")
            guard FileManager.default.createFile(atPath: url.path, contents: nil),
                let handle = try? FileHandle(forWritingTo: url)
            else { throw ArtifactError.cannotWrite(path: url.path, reason: "cannot create the file") }
            handles.append(handle)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 20 + 1 << 16)
            if let header { buffer.appendRaw(header + "\n") }
            buffers.append(buffer)
            counts.append(0)
            digests.append(Digest.Running())
        }
    }

    /// The position of a split in ``order``.
    func index(of split: String) -> Int { order.firstIndex(of: split) ?? 0 }

    /// Appends one line built by `build` to a split's file.
    func write(split index: Int, _ build: (inout [UInt8]) -> Void) throws {
        build(&buffers[index])
        buffers[index].append(0x0A)
        counts[index] += 1
        if buffers[index].count >= 1 << 20 {
            digests[index].update(buffers[index])
            try handles[index].write(contentsOf: buffers[index])
            buffers[index].removeAll(keepingCapacity: true)
        }
    }

    /// Appends one line to a split's file.
    func write(_ line: String, split: String) throws {
        try write(split: index(of: split)) { $0.appendRaw(line) }
    }

    /// Flushes and closes every file; their manifest entries.
    package func finish() throws -> [ManifestFile] {
        var files: [ManifestFile] = []
        for (index, split) in order.enumerated() {
            if !buffers[index].isEmpty {
                digests[index].update(buffers[index])
                try handles[index].write(contentsOf: buffers[index])
            }
            try handles[index].synchronize()
            try handles[index].close()
            files.append(
                ManifestFile(
                    path: "\(split).\(fileExtension)", sha256: digests[index].hex(), records: counts[index],
                    split: split))
        }
        return files
    }
}

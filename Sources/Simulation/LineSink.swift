import Foundation
import ToolContract

/// Buffered line output to a file or stdout.
package final class LineSink {
    let handle: FileHandle
    var buffer = Data()

    package init(path: String?, append: Bool) throws {
        if let path {
            if !append || !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw ArtifactError.cannotWrite(path: path, reason: "cannot create the file")
                }
            }
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw ArtifactError.cannotWrite(path: path, reason: "cannot open the file")
            }
            handle.seekToEndOfFile()
            self.handle = handle
        } else {
            handle = FileHandle.standardOutput
        }
        buffer.reserveCapacity(1 << 20)
    }

    package func write(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { flush() }
    }

    package func flush() {
        handle.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    package func close() throws {
        flush()
        if handle !== FileHandle.standardOutput { try handle.close() }
    }
}

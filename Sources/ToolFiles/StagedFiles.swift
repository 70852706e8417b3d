import Foundation
import ToolContract

/// Output files written beside their destinations and moved into place together, or not at all.
///
/// Each file is written to a hidden temporary name in its destination directory, so the final `rename(2)`
/// is atomic on the same file system. Until ``commit()`` runs, the destinations are untouched; a failure
/// before then (or a crash, which leaves only hidden temporaries) keeps every output as it was. Temporaries
/// that killed processes left are named so that later commands find and remove them (``Leftovers``).
///
/// Only a regular file (or nothing) is replaced; a symbolic link stays, and the file it points to is replaced.
/// A character device, a FIFO or a descriptor (`/dev/null`, a named pipe, `/dev/stdout`) is written into at
/// ``commit()``, never replaced; a directory or any other kind of file is refused when staged, before the
/// caller records anything in the ledger.
package final class StagedFiles {
    private var staged: [(temporary: String, destination: String)] = []
    private var writeThrough: [(data: Data, destination: String)] = []

    /// Starts an empty set of staged files.
    package init() {}

    /// Writes `data` to a temporary file next to `destination` (next to the file it links to, for a link).
    package func stage(_ data: Data, at destination: String) throws(ArtifactError) {
        var target = destination
        var link = stat()
        if lstat(destination, &link) == 0, link.st_mode & S_IFMT == S_IFLNK {
            // `/dev/stdout` and `/dev/stderr` link to a descriptor of this process: write into it (appending,
            // as the process's own writes do), never replace what it points to.
            let text = (try? FileManager.default.destinationOfSymbolicLink(atPath: destination)) ?? ""
            if text.hasPrefix("/proc/") {
                writeThrough.append((data, destination))
                return
            }
            // Another link keeps pointing where it did: the file it points to is what gets replaced.
            if let resolved = realpath(destination, nil) {
                target = String(cString: resolved)
                free(resolved)
            }
        }
        var info = stat()
        if stat(target, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                break
            case S_IFCHR, S_IFIFO:
                writeThrough.append((data, destination))
                return
            case S_IFDIR:
                throw .cannotWrite(path: destination, reason: "it is a directory")
            default:
                throw .cannotWrite(path: destination, reason: "it is not a regular file, a device or a pipe")
            }
        }
        let url = URL(fileURLWithPath: target)
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // What killed processes left beside this output goes first; then this process's own temporary.
            Leftovers.remove(for: target)
            let temporary = directory.appendingPathComponent(Leftovers.temporaryName(for: url.lastPathComponent))
            try data.write(to: temporary)
            staged.append((temporary.path, target))
        } catch {
            throw .cannotWrite(path: destination, reason: String(describing: error))
        }
    }

    /// Moves every staged file into place, then writes into the devices and pipes.
    ///
    /// Callers record the outputs in the ledger before this. Should a rename fail then (or the process be
    /// killed), the files not yet moved stay as leftovers, and the next command brings them forward (see
    /// ``Leftovers/reconcile(destination:recordedSHA256:)``), so the outputs come to match the ledger.
    package func commit() throws(ArtifactError) {
        for (index, file) in staged.enumerated() {
            if index == 1 { Failpoint.hit("outputs.after-first-rename") }
            guard rename(file.temporary, file.destination) != 0 else { continue }
            let reason = String(cString: strerror(errno))
            // Kept on disk (not discarded): what is not moved yet is what the ledger says the outputs hold.
            staged.removeAll()
            writeThrough.removeAll()
            throw .cannotWrite(
                path: file.destination,
                reason: "\(reason); the ledger recorded it, and it waits beside it for the next command to finish")
        }
        staged.removeAll()
        defer { writeThrough.removeAll() }
        for file in writeThrough {
            let descriptor = open(file.destination, O_WRONLY | O_APPEND | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw .cannotWrite(path: file.destination, reason: String(cString: strerror(errno)))
            }
            defer { close(descriptor) }
            var written = 0
            while written < file.data.count {
                let count = file.data.withUnsafeBytes { bytes in
                    Foundation.write(descriptor, bytes.baseAddress.map { $0 + written }, bytes.count - written)
                }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else {
                    throw .cannotWrite(path: file.destination, reason: String(cString: strerror(errno)))
                }
                written += count
            }
        }
    }

    /// Deletes every staged file that was not moved into place.
    package func discard() {
        for file in staged {
            unlink(file.temporary)
        }
        staged.removeAll()
        writeThrough.removeAll()
    }

    deinit {
        discard()
    }
}

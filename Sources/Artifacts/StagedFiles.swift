import Foundation

/// Output files written beside their destinations and moved into place together, or not at all.
///
/// Each file is written to a hidden temporary name in its destination directory, so the final `rename(2)`
/// is atomic on the same file system. Until ``commit()`` runs, the destinations are untouched; a failure
/// before then (or a crash, which leaves only hidden temporaries) keeps every output as it was.
package final class StagedFiles {
    private var staged: [(temporary: String, destination: String)] = []

    /// Starts an empty set of staged files.
    package init() {}

    /// Writes `data` to a temporary file next to `destination`.
    package func stage(_ data: Data, at destination: String) throws(ArtifactError) {
        let url = URL(fileURLWithPath: destination)
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
            try data.write(to: temporary)
            staged.append((temporary.path, destination))
        } catch {
            throw .cannotWrite(path: destination, reason: String(describing: error))
        }
    }

    /// Moves every staged file into place.
    package func commit() throws(ArtifactError) {
        for file in staged where rename(file.temporary, file.destination) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw .cannotWrite(path: file.destination, reason: reason)
        }
        staged.removeAll()
    }

    /// Deletes every staged file that was not moved into place.
    package func discard() {
        for file in staged {
            unlink(file.temporary)
        }
        staged.removeAll()
    }

    deinit {
        discard()
    }
}

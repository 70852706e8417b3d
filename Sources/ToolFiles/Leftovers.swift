import Foundation
import ToolContract

/// The hidden temporary files and directories the tools write beside an output before renaming it into place,
/// and what is left of them when a process is killed in between.
///
/// A temporary is named `.<name>.<pid>-<uuid>.<suffix>` (`tmp` for a staged output, `old` for a dataset set
/// aside while its replacement moves in), so that a later command can tell its own kind of leftover, for which
/// output, and whether the process that made it is gone (no process with that id on this machine). Leftovers
/// of a live process are never touched: it may still be writing them.
package enum Leftovers {
    /// A fresh hidden name for a temporary of `name` made by this process.
    package static func temporaryName(for name: String, suffix: String = "tmp") -> String {
        ".\(name).\(getpid())-\(UUID().uuidString).\(suffix)"
    }

    /// The temporaries of `name` in `directory` whose process is gone.
    package static func find(for name: String, in directory: URL, suffix: String = "tmp") -> [URL] {
        let prefix = ".\(name)."
        let ending = ".\(suffix)"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return entries.filter { entry in
            guard entry.hasPrefix(prefix), entry.hasSuffix(ending), entry.count > prefix.count + ending.count else {
                return false
            }
            let middle = entry.dropFirst(prefix.count).dropLast(ending.count)
            guard UUID(uuidString: String(middle.suffix(36))) != nil else { return false }
            // Made by a version that did not name the process: nobody is writing it any more.
            guard middle.count > 37 else { return middle.count == 36 }
            guard middle.dropLast(36).last == "-", let pid = Int32(middle.dropLast(37)) else { return false }
            return !isAlive(pid)
        }
        .sorted()
        .map { directory.appendingPathComponent($0) }
    }

    /// Whether a process with id `pid` runs on this machine.
    static func isAlive(_ pid: Int32) -> Bool {
        pid == getpid() || kill(pid, 0) == 0 || errno == EPERM
    }

    /// Brings `destination` to what the ledger recorded for it, then removes its leftovers.
    ///
    /// A process killed after the ledger committed and before it renamed its outputs leaves the recorded
    /// content in a leftover temporary: when `destination` does not hold `recordedSHA256` and a leftover does,
    /// the leftover is renamed into place. Every other leftover of `destination` is removed. Returns whether
    /// `destination` was brought forward.
    @discardableResult
    package static func reconcile(destination: String, recordedSHA256: String?) -> Bool {
        let url = URL(fileURLWithPath: destination)
        let leftovers = find(for: url.lastPathComponent, in: url.deletingLastPathComponent())
        guard !leftovers.isEmpty else { return false }
        var restored = false
        if let recordedSHA256, Self.sha256(of: destination) != recordedSHA256 {
            // The newest matching leftover (they all hold the same bytes when they match).
            if let match = leftovers.last(where: { Self.sha256(of: $0.path) == recordedSHA256 }) {
                restored = rename(match.path, destination) == 0
            }
        }
        for leftover in leftovers where FileManager.default.fileExists(atPath: leftover.path) {
            try? FileManager.default.removeItem(at: leftover)
        }
        return restored
    }

    /// Removes the leftovers of `destination` (temporaries of gone processes), whatever they hold.
    package static func remove(for destination: String, suffix: String = "tmp") {
        let url = URL(fileURLWithPath: destination)
        for leftover in find(for: url.lastPathComponent, in: url.deletingLastPathComponent(), suffix: suffix) {
            try? FileManager.default.removeItem(at: leftover)
        }
    }

    /// The SHA-256 of the regular file at `path`; `nil` when there is none.
    private static func sha256(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
            let data = FileManager.default.contents(atPath: path)
        else { return nil }
        return Digest.sha256(data)
    }
}

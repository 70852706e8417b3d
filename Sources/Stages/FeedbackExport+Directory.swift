import Artifacts
import Datasets
import Foundation
import RunLedger
import ToolContract
import ToolFiles

extension FeedbackExport {
    /// Refuses an `--out-dir` whose replacement would delete something of the user's: it must be missing, an
    /// empty directory, or a dataset this tool wrote (a `manifest.json` of ``DatasetManifest/schemaID``), and
    /// must not hold the ledger.
    static func checkReplaceable(_ path: String, ledgerPath: String) throws(ExportError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw .notReplaceable(path: path, reason: "it is a file") }
        let directory = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        let ledger = URL(fileURLWithPath: ledgerPath).standardizedFileURL.resolvingSymlinksInPath().path
        if !PostgresLocation.isURL(ledgerPath), ledger.hasPrefix(directory.hasSuffix("/") ? directory : directory + "/")
        {
            throw .notReplaceable(path: path, reason: "it holds the ledger \(ledgerPath)")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        guard !names.isEmpty else { return }
        let manifest = URL(fileURLWithPath: path).appendingPathComponent("manifest.json")
        guard let data = try? Data(contentsOf: manifest),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            object["schema"] as? String == DatasetManifest.schemaID
        else {
            throw .notReplaceable(path: path, reason: "it holds \(names.count) entries and no dataset manifest")
        }
    }

    /// Puts `staging` where `destination` was: the old directory is moved aside, the new one renamed in, the
    /// old one removed. A kill leaves the old dataset or the complete new one (and maybe the old one aside).
    /// Removes what killed exports left beside `destination`: staging directories, and the previous dataset
    /// set aside while its replacement moved in — put back first when the kill fell between the two renames
    /// (`destination` is missing; the ledger never recorded the replacement, so the previous one stands).
    static func clearLeftovers(of destination: URL) {
        let parent = destination.deletingLastPathComponent()
        let name = destination.lastPathComponent
        let aside = Leftovers.find(for: name, in: parent, suffix: "old")
        if let previous = aside.last, !FileManager.default.fileExists(atPath: destination.path) {
            _ = rename(previous.path, destination.path)
        }
        Leftovers.remove(for: destination.path, suffix: "old")
        Leftovers.remove(for: destination.path)
    }

    static func replace(_ destination: URL, with staging: URL) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: destination.path) {
            let aside = destination.deletingLastPathComponent()
                .appendingPathComponent(Leftovers.temporaryName(for: destination.lastPathComponent, suffix: "old"))
            guard rename(destination.path, aside.path) == 0, rename(staging.path, destination.path) == 0 else {
                throw ArtifactError.cannotWrite(path: destination.path, reason: String(cString: strerror(errno)))
            }
            try? manager.removeItem(at: aside)
        } else {
            guard rename(staging.path, destination.path) == 0 else {
                throw ArtifactError.cannotWrite(path: destination.path, reason: String(cString: strerror(errno)))
            }
        }
    }
}

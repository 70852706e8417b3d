import Foundation

/// Reads input files, telling a missing file (exit 66) from an unreadable one.
package enum InputFileReader {
    /// The bytes of the file at `path`, or `-` for standard input.
    package static func read(_ path: String) throws(ArtifactError) -> Data {
        if path == "-" {
            return FileHandle.standardInput.readDataToEndOfFile()
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .missingFile(path: path)
        }
        if isDirectory.boolValue {
            throw .unreadable(path: path, reason: "it is a directory")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
    }
}

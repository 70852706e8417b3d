/// One input file an artifact was computed from, identified by its SHA-256.
package struct InputFile: Codable, Equatable, Sendable {
    /// The path as given on the command line.
    package var path: String
    /// Lower-case hex SHA-256 of the file's bytes.
    package var sha256: String
    /// What the input was used as (`candidate`, `baseline`, `policy`, …).
    package var role: String

    /// Describes an input file.
    package init(path: String, sha256: String, role: String) {
        self.path = path
        self.sha256 = sha256
        self.role = role
    }
}

import Foundation

/// The project's validator, `Tests/Validation/validate`: files checked with the schemas and tools their
/// consumers use (Istio's and the Gateway API's CRDs, `nginx -t`, promtool, botocore, the JUnit XSD, …).
package enum Validator {
    /// The validator's path.
    package static let path = Repository.path("Tests/Validation/validate")

    /// Checks `files` as `kind` (`validate --help` lists the kinds); status 0 when every file is valid.
    package static func check(_ kind: String, _ files: [String]) throws -> (status: Int32, output: String) {
        try runCommand(path, [kind] + files)
    }
}

import Artifacts

/// What an export made.
package struct ExportOutcome {
    /// The dataset's manifest.
    package var manifest: DatasetManifest
    /// GitHub Actions workflow commands (annotations) to print on stdout.
    package var workflowCommands: [String]

    /// An outcome.
    package init(manifest: DatasetManifest, workflowCommands: [String]) {
        self.manifest = manifest
        self.workflowCommands = workflowCommands
    }
}

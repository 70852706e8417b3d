import CIOutput
import ToolContract

extension LookOutcome {
    /// The look as the tools print it: the CI summary's markdown, then what the look did (`--act`) and whom it
    /// told.
    package func summary(artifactPath: String) -> String {
        var text = CIRenderer.markdown(AnalysisCIReport.make(artifact, artifactPath: artifactPath))
        if let action { text += "\n**Acted:** \(action)\n" }
        if !notifications.isEmpty {
            text += "\n**Notified:**\n" + notifications.map { "- \($0)\n" }.joined()
        }
        return text
    }

    /// `analysis.json` as the look wrote it.
    package func artifactJSON() throws -> String {
        String(decoding: try ArtifactCoding.encode(artifact), as: UTF8.self)
    }
}

import Analysis
import Artifacts
import CIOutput
import Foundation
import RunLedger
import ToolContract
import Vocabulary

extension Monitor {
    /// Stages a look's outputs: `analysis.json`, the HTML report and the Prometheus text file when asked, and
    /// the CI report's files. Returns the artifact's SHA-256 and the CI report.
    static func stageOutputs(
        _ artifact: AnalysisArtifact, request: LookRequest, history: [LookRow], transitions: [TransitionRecord],
        phase: RolloutPhase?, recorder: StageRecorder
    ) throws -> (sha256: String, report: CIReport) {
        let sha = try recorder.stage(try ArtifactCoding.encode(artifact), at: request.outputPath, kind: "analysis")
        if let path = request.reportPath {
            let html = HTMLReport.render(
                artifact, history: history.map { HTMLReport.Point(row: $0) } + [HTMLReport.Point(artifact: artifact)],
                transitions: transitions.map {
                    HTMLReport.Transition(at: $0.createdAt, command: $0.command, weight: $0.toWeight)
                })
            try recorder.stage(Data(html.utf8), at: path, kind: "report")
        }
        if let path = request.metricsPath {
            let text = MetricsFile.render(artifact, phase: phase)
            try recorder.stage(Data(text.utf8), at: path, kind: "metrics")
        }
        let report = AnalysisCIReport.make(artifact, artifactPath: request.outputPath)
        try recorder.stage(report, to: request.stage.ci)
        return (sha, report)
    }
}

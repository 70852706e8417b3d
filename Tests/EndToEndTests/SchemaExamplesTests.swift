import Analysis
import AnalysisCore
import Artifacts
import BenchmarkResults
import Datasets
import Foundation
import Notifications
import Policy
import PolicyFiles
import TestSupport
import Testing
import ToolContract
import Vocabulary

/// Every example in `schemas/examples/` is read by the code that reads such files in production; `.ci/run`
/// validates the same files against their JSON Schemas.
@Suite("Schema examples")
struct SchemaExamplesTests {
    static let directory = Repository.path("schemas/examples")

    @Test("every example is decoded by the code that reads it")
    func examples() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory).sorted()
        #expect(!files.isEmpty)
        for file in files {
            let path = "\(Self.directory)/\(file)"
            switch file {
            case "canary.yaml":
                let loaded = try PolicyLoader.load(path: path, agentName: nil)
                #expect(loaded.policy.agent.name == "support-agent")
                #expect(loaded.policy.notify?.map(\.kind) == [.slack, .webhook])
            case "benchmark-results.json":
                let suite = try BenchmarkReader.read(path: path)
                #expect(suite.attempts.count == 4 && suite.attempts.last?.error == .infra)
            case "gate-result.json":
                let gate = try ArtifactCoding.makeDecoder().decode(
                    GateResult.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
                #expect(gate.schema == GateResult.schemaID)
                // Decoding and encoding again gives the same bytes: the encoding is canonical.
                #expect(try ArtifactCoding.encode(gate) == Data(contentsOf: URL(fileURLWithPath: path)))
            case "rollout.json":
                let rollout = try ArtifactCoding.makeDecoder().decode(
                    RolloutArtifact.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
                #expect(rollout.schema == RolloutArtifact.schemaID && rollout.phase == .rolledBack)
                #expect(try ArtifactCoding.encode(rollout) == Data(contentsOf: URL(fileURLWithPath: path)))
            case "analysis.json":
                let analysis = try ArtifactCoding.makeDecoder().decode(
                    AnalysisArtifact.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
                #expect(analysis.schema == AnalysisArtifact.schemaID && analysis.judgement.decision == .rollback)
                #expect(try ArtifactCoding.encode(analysis) == Data(contentsOf: URL(fileURLWithPath: path)))
            case "dataset-manifest.json":
                let manifest = try ArtifactCoding.makeDecoder().decode(
                    DatasetManifest.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
                #expect(manifest.schema == DatasetManifest.schemaID && manifest.files.count == 2)
            case "feedback-record.json":
                let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
                #expect((record as? [String: Any])?["schema"] as? String == "agent-canary/feedback-record/v1")
            case "notification.json":
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                let notice = try JSONDecoder().decode(ReleaseNotice.self, from: data)
                #expect(notice.schema == ReleaseNotice.schemaID && notice.event == .rollback)
                // The webhook's encoding of it gives the same bytes.
                #expect(try ChatMessages.body(notice, kind: .webhook) + Data("\n".utf8) == data)
            case "agent-events.json":
                // Read as JSONL by the monitor's parser in TelemetryTests.
                let events = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
                #expect((events as? [Any])?.count == 4)
            default:
                Issue.record("\(file) has no reader in this test; add one")
            }
        }
    }

    @Test("every schema is a draft 2020-12 JSON Schema with an example")
    func schemas() throws {
        let schemas = try FileManager.default.contentsOfDirectory(atPath: Repository.path("schemas"))
            .filter { $0.hasSuffix(".schema.json") }
        #expect(schemas.count >= 4)
        for schema in schemas {
            let text = try String(contentsOfFile: Repository.path("schemas/\(schema)"), encoding: .utf8)
            #expect(text.contains("\"$schema\": \"https://json-schema.org/draft/2020-12/schema\""), "\(schema)")
        }
    }
}

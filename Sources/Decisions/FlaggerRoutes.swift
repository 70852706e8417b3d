import AnalysisCore
import Artifacts
import Foundation
import HTTPTypes
import Hummingbird
import Intake
import Logging
import NIOCore
import RunLedger
import Vocabulary

/// Webhooks for a Flagger `Canary`'s `analysis.webhooks`, answered by AgentCanary's looks. Flagger posts its
/// `CanaryWebhookPayload` (`name`, `namespace`, `phase`, `checksum`, `metadata`); `metadata.agent` names the agent
/// (else the Canary's name) and `metadata.candidate_version` the release, which find the progressing run.
///
/// Flagger goes on when a hook answers 2xx up to 202 and not otherwise; a rollback hook that answers so rolls the
/// canary back. Each call of a gating hook is one look (concurrent calls for a run share it):
///
/// - `POST /flagger/rollback` (type `rollback`, called at every analysis interval): 200 when the look says
///   rollback, or when the run was rolled back in AgentCanary; 403 otherwise.
/// - `POST /flagger/confirm-traffic-increase` and `POST /flagger/confirm-promotion`: 200 when the look says
///   promote; 403 with the decision and its reasons otherwise (Flagger waits and asks again).
/// - `POST /flagger/event`: Flagger's events, logged; 202.
package struct FlaggerRoutes: ServedRoutes {
    let desk: DecisionDesk
    let open: Bool
    let logger: Logger

    /// The routes over `desk`; `open` serves them without the bearer token (Flagger sends none).
    package init(desk: DecisionDesk, open: Bool, logger: Logger) {
        self.desk = desk
        self.open = open
        self.logger = logger
    }

    package func add<Context: RequestContext>(to router: Router<Context>, support: RouteSupport) {
        for hook in ["confirm-traffic-increase", "confirm-promotion", "rollback"] {
            router.post("/flagger/\(hook)") { request, _ in
                let endpoint = "flagger-\(hook)"
                guard open || support.admits(request) else {
                    return text(endpoint, 401, "a bearer token is required", support)
                }
                let payload: FlaggerPayload
                switch await FlaggerPayload.read(request) {
                case .success(let read): payload = read
                case .failure(let refusal): return text(endpoint, refusal.status, refusal.message, support)
                }
                let (status, message) = await answer(hook: hook, payload)
                logger.info(
                    "flagger webhook answered",
                    metadata: [
                        "hook": "\(hook)", "canary": "\(payload.namespace)/\(payload.name)", "status": "\(status)",
                    ])
                return text(endpoint, status, message, support)
            }
        }
        router.post("/flagger/event") { request, _ in
            let endpoint = "flagger-event"
            guard open || support.admits(request) else {
                return text(endpoint, 401, "a bearer token is required", support)
            }
            switch await FlaggerPayload.read(request) {
            case .success(let payload):
                logger.info(
                    "flagger event",
                    metadata: [
                        "canary": "\(payload.namespace)/\(payload.name)", "phase": "\(payload.phase)",
                        "type": "\(payload.metadata["eventType"] ?? "")",
                        "message": "\(payload.metadata["eventMessage"] ?? "")",
                    ])
                return text(endpoint, 202, "recorded\n", support)
            case .failure(let refusal): return text(endpoint, refusal.status, refusal.message, support)
            }
        }
    }

    /// The status and message a gating hook answers with.
    func answer(hook: String, _ payload: FlaggerPayload) async -> (Int, String) {
        let rollback = hook == "rollback"
        let run: RunRecord
        switch await desk.currentRun(agent: payload.agent, candidateVersion: payload.candidateVersion) {
        case .success(let found): run = found.0
        case .failure(let refusal):
            if rollback, refusal.status == 404,
                case .success(let (ended, rollout)) = await desk.latestRun(agent: payload.agent),
                rollout.phase == .rolledBack,
                payload.candidateVersion == nil || payload.candidateVersion == ended.candidateVersion
            {
                return (200, "roll back: run \(ended.id) was rolled back in AgentCanary\n")
            }
            return (refusal.status, refusal.message + "\n")
        }
        switch await desk.look(runId: run.id, act: false) {
        case .success(let artifact):
            let decision = artifact.judgement.decision
            let said = "look \(artifact.lookId) of run \(run.id): \(decision.rawValue)"
            let reasons = artifact.judgement.reasons.map { "- \($0)\n" }.joined()
            if rollback {
                return decision == .rollback ? (200, "roll back: \(said)\n\(reasons)") : (403, "no rollback: \(said)\n")
            }
            return decision == .promote ? (200, "go on: \(said)\n") : (403, "wait: \(said)\n\(reasons)")
        case .failure(let refusal): return (refusal.status, refusal.message + "\n")
        }
    }

    func text(_ endpoint: String, _ status: Int, _ message: String, _ support: RouteSupport) -> Response {
        support.answer(
            endpoint, HTTPResponse.Status.named(status), Data(message.utf8), contentType: "text/plain; charset=utf-8")
    }
}

/// Flagger's `CanaryWebhookPayload`, and the run it names.
struct FlaggerPayload {
    var name: String
    var namespace: String
    var phase: String
    var checksum: String
    var metadata: [String: String]

    /// The agent: `metadata.agent`, else the Canary's name.
    var agent: String { metadata["agent"] ?? name }
    var candidateVersion: String? { metadata["candidate_version"] }

    static func read(_ request: Request) async -> Result<FlaggerPayload, DecisionRefusal> {
        guard let buffer = try? await request.body.collect(upTo: 1 << 20) else {
            return .failure(DecisionRefusal(status: 413, message: "the body is over 1 MiB\n"))
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any]
        else {
            return .failure(.badRequest("the body is not a JSON object (Flagger's CanaryWebhookPayload)\n"))
        }
        guard let name = object["name"] as? String, !name.isEmpty else {
            return .failure(.badRequest("field 'name': the Canary's name is required\n"))
        }
        var metadata: [String: String] = [:]
        if let value = object["metadata"] {
            guard let map = value as? [String: Any], map.values.allSatisfy({ $0 is String }) else {
                return .failure(.badRequest("field 'metadata': a map of strings is required\n"))
            }
            metadata = map.compactMapValues { $0 as? String }
        }
        return .success(
            FlaggerPayload(
                name: name, namespace: object["namespace"] as? String ?? "", phase: object["phase"] as? String ?? "",
                checksum: object["checksum"] as? String ?? "", metadata: metadata))
    }
}

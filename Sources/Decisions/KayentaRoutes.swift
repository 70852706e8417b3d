import Artifacts
import Foundation
import HTTPTypes
import Hummingbird
import Intake
import NIOCore
import RunLedger
import Vocabulary

/// The subset of Kayenta's canary API that Argo Rollouts' `kayenta` metric provider and Spinnaker's canary
/// analysis stage call, under `/kayenta/`, answered from AgentCanary's looks:
///
/// - `GET /kayenta/canaryConfig` lists one canary configuration per agent (its `id` and `name` are the agent's).
/// - `POST /kayenta/canary/{configId}` takes a look at the progressing run of agent `configId` whose baseline is
///   the scopes' `controlScope.scope` and whose candidate is their `experimentScope.scope`, and answers
///   `{"canaryExecutionId": …}`.
/// - `GET /kayenta/canary/{executionId}` answers the execution complete, with the look's decision as Kayenta's
///   score: promote 100 (`Pass`), continue and hold the middle of the request's marginal and pass thresholds
///   (`Marginal`: Argo's measurement is Inconclusive), rollback 0 (`Fail`).
///
/// The shapes are those of Kayenta's `CanaryExecutionRequest`, `CanaryExecutionResponse` and
/// `CanaryExecutionStatusResponse` (spinnaker/kayenta, `kayenta-core`). An execution's id carries its look and
/// thresholds, so it is answered the same after a restart and by any replica on the same ledger.
package struct KayentaRoutes: ServedRoutes {
    let desk: DecisionDesk
    /// Whether the endpoints skip the bearer token (Argo's provider and Spinnaker send none).
    let open: Bool

    /// The routes over `desk`; `open` serves them without the bearer token.
    package init(desk: DecisionDesk, open: Bool) {
        self.desk = desk
        self.open = open
    }

    package func add<Context: RequestContext>(to router: Router<Context>, support: RouteSupport) {
        router.get("/kayenta/canaryConfig") { request, _ in
            let endpoint = "kayenta-config"
            guard open || support.admits(request) else {
                return refuse(endpoint, request, 401, "a bearer token is required", support)
            }
            switch await desk.agents() {
            case .success(let agents):
                let now = Date()
                let configs = agents.map {
                    KayentaConfigSummary(
                        id: $0, name: $0, updatedTimestamp: Int64(now.timeIntervalSince1970 * 1000),
                        updatedTimestampIso: ISO8601DateFormatter().string(from: now), applications: [$0])
                }
                return answer(endpoint, support) { try JSONEncoder.sorted.encode(configs) }
            case .failure(let refusal): return refuse(endpoint, request, refusal.status, refusal.message, support)
            }
        }
        // One parameter name for both methods of the path (Hummingbird refuses two): the config id of a POST,
        // the execution id of a GET.
        router.post("/kayenta/canary/:id") { request, context in
            let endpoint = "kayenta-execute"
            guard open || support.admits(request) else {
                return refuse(endpoint, request, 401, "a bearer token is required", support)
            }
            let agent = context.parameters.get("id") ?? ""
            let execution: KayentaExecutionRequest
            do {
                let body = try await request.body.collect(upTo: 1 << 20)
                execution = try KayentaExecutionRequest.parse(Data(body.readableBytesView))
            } catch let refusal as DecisionRefusal {
                return refuse(endpoint, request, refusal.status, refusal.message, support)
            } catch {
                return refuse(endpoint, request, 413, "the body is over 1 MiB", support)
            }
            let run: RunRecord
            switch await desk.currentRun(
                agent: agent, candidateVersion: execution.candidateVersion, baselineVersion: execution.baselineVersion)
            {
            case .success(let found): run = found.0
            case .failure(let refusal): return refuse(endpoint, request, refusal.status, refusal.message, support)
            }
            switch await desk.look(runId: run.id, act: false) {
            case .success(let artifact):
                let id = KayentaExecutionID(lookId: artifact.lookId, thresholds: execution.thresholds)
                return answer(endpoint, support) {
                    try JSONEncoder.sorted.encode(["canaryExecutionId": id.text])
                }
            case .failure(let refusal): return refuse(endpoint, request, refusal.status, refusal.message, support)
            }
        }
        router.get("/kayenta/canary/:id") { request, context in
            let endpoint = "kayenta-status"
            guard open || support.admits(request) else {
                return refuse(endpoint, request, 401, "a bearer token is required", support)
            }
            let text = context.parameters.get("id") ?? ""
            guard let id = KayentaExecutionID(text: text) else {
                return refuse(endpoint, request, 404, "no canary execution \(text)", support)
            }
            switch await desk.look(id: id.lookId) {
            case .success(let look):
                return answer(endpoint, support) {
                    try JSONEncoder.sorted.encode(KayentaExecutionStatus(look: look, id: id))
                }
            case .failure(let refusal): return refuse(endpoint, request, refusal.status, refusal.message, support)
            }
        }
    }

    func answer(_ endpoint: String, _ support: RouteSupport, _ encode: () throws -> Data) -> Response {
        DecisionRoutes.json(endpoint, .ok, support, encode)
    }

    /// An error as Kayenta (Spring Boot) answers one: `{timestamp, status, error, message, path}`.
    func refuse(_ endpoint: String, _ request: Request, _ status: Int, _ message: String, _ support: RouteSupport)
        -> Response
    {
        let code = HTTPResponse.Status.named(status)
        let body = KayentaError(
            timestamp: ISO8601DateFormatter().string(from: Date()), status: status, error: code.reasonPhrase,
            message: message, path: request.uri.path)
        return support.answer(endpoint, code, (try? JSONEncoder.sorted.encode(body)) ?? Data())
    }
}

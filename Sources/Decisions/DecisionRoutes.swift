import AnalysisCore
import Artifacts
import Foundation
import HTTPTypes
import Hummingbird
import Intake
import RunLedger
import ToolContract
import Vocabulary

/// The decisions API of `monitor serve`, behind its bearer token:
///
/// - `POST /v1/runs/{run}/looks` takes a look from the intake now and answers its analysis (`analysis.json`);
///   `?act=true` also carries its decision out, as `monitor analyze --act` does.
/// - `GET /v1/runs/{run}/decision` answers the latest look's decision.
/// - `GET /v1/agents/{agent}/runs/current` finds the progressing run of an agent
///   (`?candidate_version=` narrows it to one release).
///
/// 404 for an unknown run (or one without a look, for its decision), 409 for a run that is not progressing;
/// errors are `{"error": {"code": …, "message": …}}`.
package struct DecisionRoutes: ServedRoutes {
    let desk: DecisionDesk

    /// The routes over `desk`.
    package init(desk: DecisionDesk) {
        self.desk = desk
    }

    package func add<Context: RequestContext>(to router: Router<Context>, support: RouteSupport) {
        router.post("/v1/runs/:run/looks") { request, context in
            let endpoint = "looks"
            guard support.admits(request) else { return Self.unauthorized(endpoint, support) }
            let run = context.parameters.get("run") ?? ""
            let act = request.uri.queryParameters["act"].map { $0 == "true" || $0 == "1" } ?? false
            switch await desk.look(runId: run, act: act) {
            case .success(let artifact):
                return Self.json(endpoint, .ok, support) { try ArtifactCoding.encode(artifact) }
            case .failure(let refusal): return Self.refuse(endpoint, refusal, support)
            }
        }
        router.get("/v1/runs/:run/decision") { request, context in
            let endpoint = "decision"
            guard support.admits(request) else { return Self.unauthorized(endpoint, support) }
            switch await desk.latestLook(runId: context.parameters.get("run") ?? "") {
            case .success(let look):
                return Self.json(endpoint, .ok, support) { try JSONEncoder.sorted.encode(DecisionAnswer(look)) }
            case .failure(let refusal): return Self.refuse(endpoint, refusal, support)
            }
        }
        router.get("/v1/agents/:agent/runs/current") { request, context in
            let endpoint = "current-run"
            guard support.admits(request) else { return Self.unauthorized(endpoint, support) }
            let agent = context.parameters.get("agent") ?? ""
            let candidate = request.uri.queryParameters["candidate_version"].map(String.init)
            switch await desk.currentRun(agent: agent, candidateVersion: candidate) {
            case .success(let (run, rollout)):
                return Self.json(endpoint, .ok, support) {
                    try JSONEncoder.sorted.encode(CurrentRunAnswer(run: run, rollout: rollout))
                }
            case .failure(let refusal): return Self.refuse(endpoint, refusal, support)
            }
        }
    }

    /// A JSON answer, or 500 when it cannot be encoded.
    static func json(
        _ endpoint: String, _ status: HTTPResponse.Status, _ support: RouteSupport, _ encode: () throws -> Data
    ) -> Response {
        do {
            return support.answer(endpoint, status, try encode())
        } catch {
            return refuse(
                endpoint, DecisionRefusal(status: 500, message: "cannot encode the answer: \(error)"), support)
        }
    }

    static func refuse(_ endpoint: String, _ refusal: DecisionRefusal, _ support: RouteSupport) -> Response {
        let body = (try? JSONEncoder.sorted.encode(ErrorAnswer(refusal))) ?? Data()
        return support.answer(endpoint, HTTPResponse.Status.named(refusal.status), body)
    }

    static func unauthorized(_ endpoint: String, _ support: RouteSupport) -> Response {
        var response = refuse(endpoint, DecisionRefusal(status: 401, message: "a bearer token is required"), support)
        response.headers[.wwwAuthenticate] = "Bearer"
        return response
    }
}

/// `GET /v1/runs/{run}/decision`: the latest look of a run.
struct DecisionAnswer: Encodable {
    var decision: String
    var reasons: [String]
    var lookId: Int64
    /// The rollout's step (1 for the first), as `analysis.json` numbers it.
    var step: Int?
    var weight: Int?
    var moreCandidateTasksNeeded: Int?
    var createdAt: String

    init(_ look: LookRow) {
        let judgement = try? ArtifactCoding.makeDecoder().decode(Judgement.self, from: Data(look.judgementJSON.utf8))
        decision = look.decision.rawValue
        reasons = judgement?.reasons ?? []
        lookId = look.id
        step = look.stepIndex.map { $0 + 1 }
        weight = look.weight
        moreCandidateTasksNeeded = judgement?.sample.moreCandidateTasksNeeded
        createdAt = look.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case decision, reasons, step, weight
        case lookId = "look_id"
        case moreCandidateTasksNeeded = "more_candidate_tasks_needed"
        case createdAt = "created_at"
    }
}

/// `GET /v1/agents/{agent}/runs/current`: the run a controller that knows the agent (and the new version) judges.
struct CurrentRunAnswer: Encodable {
    var runId: String
    var agent: String
    var baselineVersion: String
    var candidateVersion: String
    var phase: String
    var step: Int
    var weight: Int
    var router: String
    var stepStartedAt: String

    init(run: RunRecord, rollout: RolloutRecord) {
        runId = run.id
        agent = run.agent
        baselineVersion = run.baselineVersion
        candidateVersion = run.candidateVersion
        phase = rollout.phase.rawValue
        step = rollout.stepIndex + 1
        weight = rollout.weight
        router = rollout.router
        stepStartedAt = rollout.stepStartedAt
    }

    enum CodingKeys: String, CodingKey {
        case agent, phase, step, weight, router
        case runId = "run_id"
        case baselineVersion = "baseline_version"
        case candidateVersion = "candidate_version"
        case stepStartedAt = "step_started_at"
    }
}

/// An error of the decisions API.
struct ErrorAnswer: Encodable {
    struct Detail: Encodable {
        var code: Int
        var message: String
    }
    var error: Detail

    init(_ refusal: DecisionRefusal) {
        error = Detail(code: refusal.status, message: refusal.message)
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys, so that answers are byte-stable.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension HTTPResponse.Status {
    /// The status of `code`, with its reason phrase for the codes the decisions API answers.
    static func named(_ code: Int) -> HTTPResponse.Status {
        let known: [HTTPResponse.Status] = [
            .ok, .accepted, .badRequest, .unauthorized, .forbidden, .notFound, .conflict, .contentTooLarge,
            .internalServerError, .serviceUnavailable,
        ]
        return known.first { $0.code == code } ?? HTTPResponse.Status(code: code)
    }
}

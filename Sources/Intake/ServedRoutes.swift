import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Endpoints another module serves on `monitor serve`'s port (the decisions API for rollout controllers),
/// behind the same bearer token and counted in the same request metrics as the intake's.
package protocol ServedRoutes: Sendable {
    /// Adds the endpoints to `router`; `support` checks the token and counts the answers.
    func add<Context: RequestContext>(to router: Router<Context>, support: RouteSupport)
}

/// What a served endpoint shares with the intake: the token check and the request metrics.
package struct RouteSupport: Sendable {
    let token: BearerToken?
    let metrics: IntakeMetrics

    /// Whether the request carries the bearer token `--token-file` holds (always, without one).
    package func admits(_ request: Request) -> Bool {
        token?.admits(request.headers[.authorization]) ?? true
    }

    /// A response of `status` with `body`, counted under `endpoint` in `agent_canary_intake_requests_total`.
    package func answer(
        _ endpoint: String, _ status: HTTPResponse.Status, _ body: Data, contentType: String = "application/json"
    ) -> Response {
        metrics.request(endpoint: endpoint, status: status.code, bytes: 0)
        return Response(
            status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

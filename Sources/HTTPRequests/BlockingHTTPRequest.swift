import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP request sent from synchronous code, waiting for its answer: what the tools' clients of Prometheus
/// and OTLP/HTTP use. It runs on AsyncHTTPClient (SwiftNIO) rather than Foundation's `URLSession`, whose Linux
/// implementation links libcurl into every tool.
package struct BlockingHTTPRequest: Sendable {
    /// The answer to a request.
    package struct Response: Sendable {
        /// The HTTP status.
        package var status: Int
        /// The body.
        package var body: Data
        /// The `Retry-After` header in seconds, when it is a number.
        package var retryAfter: Double?
    }

    /// Why no answer came: the text names the failure, never the URL's credentials.
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package var url: URL
    package var method: String
    package var headers: [(String, String)]
    package var body: Data?
    /// Seconds for the whole exchange.
    package var timeout: TimeInterval

    package init(
        url: URL, method: String = "GET", headers: [(String, String)] = [], body: Data? = nil,
        timeout: TimeInterval
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// Sends the request and waits for the whole response (redirects are not followed).
    package func send() throws(Failure) -> Response {
        let budget = TimeAmount.milliseconds(Int64(max(0.05, timeout) * 1000))
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: min(budget, .seconds(10)), read: budget))
        let client = HTTPClient(
            eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: configuration)
        defer { try? client.syncShutdown() }
        do {
            let request = try HTTPClient.Request(
                url: url, method: HTTPMethod(rawValue: method), headers: HTTPHeaders(headers),
                body: body.map { .bytes($0) })
            let response = try client.execute(request: request, deadline: .now() + budget).wait()
            return Response(
                status: Int(response.status.code), body: response.body.map { Data($0.readableBytesView) } ?? Data(),
                retryAfter: response.headers.first(name: "Retry-After").flatMap(Double.init))
        } catch {
            throw Failure(description: Self.describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout, .readTimeout, .deadlineExceeded: "no answer within the timeout"
            case .remoteConnectionClosed: "connection lost"
            case .invalidURL, .emptyHost, .emptyScheme: "not a usable http(s) URL"
            default: "request failed"
            }
        case let error as NIOConnectionError:
            error.dnsAError != nil || error.dnsAAAAError != nil ? "host not found" : "connection refused"
        case is ChannelError: "connection lost"
        case let error as IOError: error.errnoCode == ECONNREFUSED ? "connection refused" : "connection lost"
        default: "request failed"
        }
    }
}

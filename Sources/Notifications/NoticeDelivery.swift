import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// How one notification went: attempts made, the last HTTP status, and why it failed (never the URL).
package struct DeliveryOutcome: Sendable, Equatable {
    package var delivered: Bool
    package var attempts: Int
    package var httpStatus: Int?
    package var error: String?
}

/// Posts a notification body: within a deadline (the whole delivery, retries included), retrying up to three
/// times on 429, 5xx and failed connections with exponential backoff (0.5 s, 1 s, 2 s) or the receiver's
/// `Retry-After` (seconds, when it fits the deadline). Every attempt carries the same `Idempotency-Key`, and a
/// body signed with HMAC-SHA256 in `X-AgentCanary-Signature: sha256=<hex>` when a secret is given.
package struct NoticeDelivery: Sendable {
    /// The whole delivery's time, retries included.
    package var timeout: TimeInterval
    package var retries = 3
    package var backoff: TimeInterval = 0.5

    /// A delivery within `timeout` seconds.
    package init(timeout: TimeInterval) {
        self.timeout = timeout
    }

    /// The signature header's value for `body` under `secret`.
    package static func signature(of body: Data, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// Posts `body` to `url`.
    package func post(_ body: Data, to url: URL, idempotencyKey: String, secret: String?) -> DeliveryOutcome {
        let deadline = Date().addingTimeInterval(timeout)
        var outcome = DeliveryOutcome(delivered: false, attempts: 0, httpStatus: nil, error: nil)
        var delay = backoff
        while outcome.attempts <= retries {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0.05 else {
                if outcome.error == nil { outcome.error = "no time left within the \(Int(timeout)) s timeout" }
                return outcome
            }
            outcome.attempts += 1
            var headers = [
                ("Content-Type", "application/json"), ("User-Agent", "agent-canary"),
                ("Idempotency-Key", idempotencyKey),
            ]
            if let secret { headers.append(("X-AgentCanary-Signature", Self.signature(of: body, secret: secret))) }
            let (status, retryAfter, failure) = Self.send(body, to: url, headers: headers, waiting: remaining)
            outcome.httpStatus = status
            outcome.error = failure
            if let status, (200..<300).contains(status) {
                outcome.delivered = true
                outcome.error = nil
                return outcome
            }
            if let status {
                outcome.error = "HTTP \(status)"
                guard status == 429 || status >= 500 else { return outcome }
            }
            guard outcome.attempts <= retries else { return outcome }
            let wait = retryAfter.map { min($0, 60) } ?? delay
            guard wait < deadline.timeIntervalSinceNow else { return outcome }
            Thread.sleep(forTimeInterval: wait)
            delay *= 2
        }
        return outcome
    }

    /// The most of a response body read: a receiver's answer is its status; a body is never needed whole, and
    /// one of gigabytes is not held.
    static let maxResponseBytes = 64 << 10

    /// One request: the status, the `Retry-After` seconds, or why there is no response (without the URL).
    ///
    /// Redirects are not followed: the signature, the idempotency key and the body were meant for this URL,
    /// and a 3xx means no receiver took the notice (a failed delivery, recorded with its status). The response
    /// body is read up to ``maxResponseBytes``; past that the connection is closed.
    static func send(_ body: Data, to url: URL, headers: [(String, String)], waiting: TimeInterval)
        -> (Int?, TimeInterval?, String?)
    {
        let budget = TimeAmount.milliseconds(Int64(max(0.05, waiting) * 1000))
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: min(budget, .seconds(10)), read: budget))
        configuration.decompression = .disabled
        let client = HTTPClient(
            eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton),
            configuration: configuration)
        defer { try? client.syncShutdown() }
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(
                url: url, method: .POST, headers: HTTPHeaders(headers), body: .bytes(body))
        } catch {
            return (nil, nil, describe(error))
        }
        let head = ResponseHead(limit: maxResponseBytes)
        let task = client.execute(request: request, delegate: head, deadline: .now() + budget)
        do {
            try task.futureResult.wait()
        } catch {
            // A body over the limit ends the request; its status stands.
            guard head.status != nil else { return (nil, nil, describe(error)) }
        }
        return (head.status, head.retryAfter, nil)
    }

    /// Keeps a response's status and `Retry-After`, and ends the request once its body passes `limit` bytes.
    // Safety: its fields are written on the request's event loop and read after the task's future completes,
    // which orders the two.
    final class ResponseHead: HTTPClientResponseDelegate, @unchecked Sendable {
        typealias Response = Void
        struct TooLong: Error {}

        let limit: Int
        var status: Int?
        var retryAfter: TimeInterval?
        var received = 0

        init(limit: Int) {
            self.limit = limit
        }

        func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
            status = Int(head.status.code)
            retryAfter = head.headers.first(name: "Retry-After").flatMap(TimeInterval.init)
            return task.eventLoop.makeSucceededVoidFuture()
        }

        func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
            received += buffer.readableBytes
            return received > limit
                ? task.eventLoop.makeFailedFuture(TooLong()) : task.eventLoop.makeSucceededVoidFuture()
        }

        func didFinishRequest(task: HTTPClient.Task<Void>) throws {}
    }

    /// Why a request got no response, in words that never hold the URL (which is a secret).
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout, .readTimeout, .deadlineExceeded: return "no answer within the timeout"
            case .remoteConnectionClosed: return "connection lost"
            case .invalidURL, .emptyHost, .emptyScheme: return "not a usable http(s) URL"
            default: return "request failed"
            }
        case is NIOSSLError, is BoringSSLError: return "TLS failed"
        case let error as NIOConnectionError:
            return error.dnsAError != nil || error.dnsAAAAError != nil ? "host not found" : "connection refused"
        case is ChannelError: return "connection lost"
        case let error as IOError:
            return error.errnoCode == ECONNREFUSED ? "connection refused" : "connection lost"
        default: return "no response"
        }
    }
}

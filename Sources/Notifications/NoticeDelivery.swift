import Crypto
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

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
            var request = URLRequest(url: url, timeoutInterval: remaining)
            request.httpMethod = "POST"
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue("agent-canary", forHTTPHeaderField: "User-Agent")
            request.setValue(idempotencyKey, forHTTPHeaderField: "Idempotency-Key")
            if let secret {
                request.setValue(
                    Self.signature(of: body, secret: secret), forHTTPHeaderField: "X-AgentCanary-Signature")
            }
            let (status, retryAfter, failure) = Self.send(request, waiting: remaining)
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

    /// One request: the status, the `Retry-After` seconds, or why there is no response (without the URL).
    static func send(_ request: URLRequest, waiting: TimeInterval) -> (Int?, TimeInterval?, String?) {
        // Safety: written by the session's delegate queue before the semaphore is signalled, read after the wait;
        // the semaphore orders the two.
        final class Box: @unchecked Sendable {
            var status: Int?
            var retryAfter: TimeInterval?
            var failure: String?
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = waiting
        configuration.timeoutIntervalForResource = waiting
        let session = URLSession(configuration: configuration)
        let task = session.dataTask(with: request) { _, response, error in
            if let response = response as? HTTPURLResponse {
                box.status = response.statusCode
                box.retryAfter = (response.value(forHTTPHeaderField: "Retry-After")).flatMap(TimeInterval.init)
            } else {
                box.failure = Self.describe(error)
            }
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + waiting + 1) == .timedOut {
            task.cancel()
            session.invalidateAndCancel()
            return (nil, nil, "no answer within the timeout")
        }
        session.finishTasksAndInvalidate()
        return (box.status, box.retryAfter, box.failure)
    }

    /// Why a request got no response, in words that never hold the URL (which is a secret).
    static func describe(_ error: (any Error)?) -> String {
        guard let error = error as? URLError else { return "no response" }
        switch error.code {
        case .timedOut: return "no answer within the timeout"
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "host not found"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate:
            return "TLS failed"
        case .networkConnectionLost: return "connection lost"
        case .notConnectedToInternet: return "no network"
        case .badURL, .unsupportedURL: return "not a usable http(s) URL"
        default: return "request failed (URLError \(error.code.rawValue))"
        }
    }
}

import Foundation
import Hummingbird
import Logging
import NIOCore

extension IntakeServer {
    /// The request's body after the token check, the size limit, the bound on bytes held and the read timeout;
    /// or the response refusing it.
    func body(
        of request: Request, _ context: IntakeRequestContext, endpoint: String, encoding: TraceEncoding,
        holding: HeldRequest
    ) async -> Result<Data, Refused> {
        if let token, !token.admits(request.headers[.authorization]) {
            logger.notice("refused a request without the bearer token", metadata: ["endpoint": "\(endpoint)"])
            return .failure(Refused(refuse(endpoint, 401, "a bearer token is required", encoding: encoding, bytes: 0)))
        }
        let limit = configuration.maxBodyBytes
        func tooLarge() -> Refused {
            Refused(
                refuse(
                    endpoint, 413, "the body is over \(limit) bytes (monitor serve --max-body-bytes)",
                    encoding: encoding, bytes: 0))
        }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            return .failure(tooLarge())
        }
        let timeout = configuration.limits.readTimeout
        let collected = await Self.collect(request.body, upTo: limit, within: timeout, holding: holding)
        guard case .body(let buffer) = collected else {
            // The rest of the body is not read: the connection ends once the answer is written.
            context.channel.close(mode: .input, promise: nil)
            switch collected {
            case .tooLarge, .failed: return .failure(tooLarge())
            case .overHeld: return .failure(Refused(overHeld(endpoint, encoding: encoding, bytes: 0)))
            case .timedOut, .body:
                return .failure(
                    Refused(
                        refuse(
                            endpoint, 408, "the body did not arrive within \(timeout) (monitor serve --read-timeout)",
                            encoding: encoding, bytes: 0)))
            }
        }
        return .success(Data(buffer.readableBytesView))
    }

    /// How reading a body ended.
    enum Collected: Sendable {
        case body(ByteBuffer)
        /// Over `--max-body-bytes`.
        case tooLarge
        /// The requests in flight hold `--max-held-bytes`.
        case overHeld
        /// Not whole within `--read-timeout`.
        case timedOut
        /// The connection failed.
        case failed
    }

    /// Reads `body` as it arrives, taking its bytes from `holding` chunk by chunk (twice: the received chunks
    /// and their copy), so that a slow sender holds only what it has sent; stops at `limit` bytes, at the bound
    /// on bytes held, or after `timeout`.
    static func collect(_ body: RequestBody, upTo limit: Int, within timeout: Duration, holding: HeldRequest)
        async -> Collected
    {
        await withTaskGroup(of: Collected.self) { group in
            group.addTask {
                var buffer = ByteBuffer()
                do {
                    for try await chunk in body {
                        guard buffer.readableBytes + chunk.readableBytes <= limit else { return .tooLarge }
                        guard holding.take(2 * chunk.readableBytes) else { return .overHeld }
                        buffer.writeImmutableBuffer(chunk)
                    }
                } catch {
                    return .failed
                }
                return .body(buffer)
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .timedOut
            }
            defer { group.cancelAll() }
            return await group.next() ?? .failed
        }
    }

    /// 429: the requests in flight hold as many bytes as `--max-held-bytes` allows.
    func overHeld(_ endpoint: String, encoding: TraceEncoding, bytes: Int) -> Response {
        refuse(
            endpoint, 429,
            "the server holds \(configuration.limits.maxHeldBytes) bytes of requests in flight "
                + "(monitor serve --max-held-bytes): retry later", encoding: encoding, bytes: bytes, retryAfter: 1)
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Logging
import NIOCore
import ServiceLifecycle
import Telemetry
import ToolContract
import UnixSignals

/// What `monitor serve` is started with.
package struct IntakeConfiguration: Sendable {
    package var host: String
    package var port: Int
    /// The agent of spans without a resource `service.name`, and of events whose request names none.
    package var defaultAgent: String
    package var maxBodyBytes: Int
    package var maxQueuedRecords: Int
    package var tokenFile: String?
    /// How spans become tasks (the policy's `monitor.otlp` and prices), for the live metrics.
    package var options: OTLPOptions
    /// With `--retain`: how long raw intake is kept, and how often it is pruned.
    package var retain: Duration?

    /// Makes a configuration.
    package init(
        host: String, port: Int, defaultAgent: String, maxBodyBytes: Int, maxQueuedRecords: Int, tokenFile: String?,
        options: OTLPOptions, retain: Duration?
    ) {
        self.host = host
        self.port = port
        self.defaultAgent = defaultAgent
        self.maxBodyBytes = maxBodyBytes
        self.maxQueuedRecords = maxQueuedRecords
        self.tokenFile = tokenFile
        self.options = options
        self.retain = retain
    }
}

/// `monitor serve`: OTLP/HTTP traces and native events from the fleet into the ledger, live metrics out.
///
/// `POST /v1/traces` and `POST /v1/events` answer 200 only once the records are committed (see
/// ``IntakeWriter``); `GET /metrics` is Prometheus text; `GET /healthz` answers while the process runs, and
/// `GET /readyz` while the ledger commits. SIGTERM or SIGINT stops taking connections, lets the requests in
/// flight finish and commit, and returns.
package struct IntakeServer: Sendable {
    let configuration: IntakeConfiguration
    let logger: Logger
    let token: BearerToken?
    let decoder: IntakeDecoder
    let metrics = IntakeMetrics()
    let traces = LiveTraces()
    /// Warnings of traces that gave no task and of refused spans, at most one a minute per agent and reason.
    let unusableLog = LogThrottle(interval: 60)
    let rejectionLog = LogThrottle(interval: 60)
    let writer: IntakeWriter

    /// A server on `ledger` (opened and migrated); reads the token file.
    package init(configuration: IntakeConfiguration, ledger: Ledger, logger: Logger) throws(IntakeSetupError) {
        self.configuration = configuration
        self.logger = logger
        token = try configuration.tokenFile.map { path throws(IntakeSetupError) in try BearerToken(file: path) }
        decoder = IntakeDecoder(
            defaultAgent: configuration.defaultAgent, maxBodyBytes: configuration.maxBodyBytes,
            options: configuration.options)
        writer = IntakeWriter(
            ledger: ledger, maxQueuedRecords: configuration.maxQueuedRecords, metrics: metrics, logger: logger)
    }

    /// Serves until SIGTERM or SIGINT; `listening` is called with the bound port (the one asked for, or the
    /// one the system chose for port 0).
    package func run(listening: @escaping @Sendable (Int) -> Void) async throws {
        let checkpointer = try writer.currentLedger.separateCheckpoints().map {
            IntakeCheckpointer(ledger: $0, logger: self.logger)
        }
        checkpointer?.start()
        defer { checkpointer?.stop() }
        writer.start()
        let router = Router(context: BasicRequestContext.self)
        router.post("/v1/traces") { request, _ in await traces(request) }
        router.post("/v1/events") { request, _ in await events(request) }
        router.post("/v1/logs") { request, _ in await logs(request) }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.text())))
        }
        router.get("/healthz") { _, _ in plain(.ok, "ok\n") }
        router.get("/readyz") { _, _ in
            // The ledger was opened and migrated before the server started; what can change is whether it commits.
            writer.isHealthy
                ? plain(.ok, "ready\n") : plain(.serviceUnavailable, "not ready: the ledger does not commit\n")
        }
        let logger = logger
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "agent-canary-monitor"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("listening", metadata: ["port": "\(port)"])
                listening(port)
            },
            logger: logger)
        var services: [any Service] = [app]
        if let retain = configuration.retain {
            services.append(PruneService(ledger: { [writer] in writer.currentLedger }, retain: retain, logger: logger))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            writer.drain()
            throw error
        }
        // The server has answered every request it took; commit anything still queued (none should be).
        writer.drain()
        logger.info("stopped: every acknowledged request is committed")
    }

    // MARK: - Endpoints

    /// `POST /v1/traces`: the spans, kept as records of their traces.
    func traces(_ request: Request) async -> Response {
        await export(request, endpoint: "traces", kind: "spans", decode: decoder.traces, respond: OTLPResponse.export)
    }

    /// `POST /v1/logs`: the evaluation results (and guardrail results) among the log records, kept as records
    /// of their traces; every other record is acknowledged and dropped.
    func logs(_ request: Request) async -> Response {
        await export(request, endpoint: "logs", kind: "logs", decode: decoder.logs, respond: OTLPResponse.logsExport)
    }

    /// An OTLP/HTTP export: the content type and the body checked, decompressed, decoded by `decode` into records
    /// of `kind`, committed, and answered by `respond` (the export response, with its partial success).
    func export(
        _ request: Request, endpoint: String, kind: String,
        decode: (Data, TraceEncoding) throws(IntakeRefusal) -> IntakeBatch,
        respond: (Int, String?, TraceEncoding) -> Data
    ) async -> Response {
        guard let encoding = TraceEncoding(contentType: request.headers[.contentType]) else {
            return refuse(
                endpoint, 415, "Content-Type must be application/x-protobuf or application/json", encoding: .json,
                bytes: 0)
        }
        var request = request
        let body: Data
        switch await self.body(of: &request, endpoint: endpoint, encoding: encoding) {
        case .success(let data): body = data
        case .failure(let refused): return refused.response
        }
        let received = body.count
        var batch: IntakeBatch
        do {
            let plain = try decoder.decoded(body, contentEncoding: request.headers[.contentEncoding])
            batch = try decode(plain, encoding)
        } catch {
            return refuse(endpoint, Self.status(of: error), error.message, encoding: encoding, bytes: received)
        }
        if let response = await commit(&batch, kind: kind, endpoint: endpoint, encoding: encoding, bytes: received) {
            return response
        }
        let data = respond(batch.rejectedCount, batch.firstError, encoding)
        return answer(endpoint, .ok, data, contentType: encoding.contentType, bytes: received)
    }

    func events(_ request: Request) async -> Response {
        let type = IntakeDecoder.mediaType(of: request.headers[.contentType])
        guard ["application/x-ndjson", "application/jsonl", "application/json", "text/plain"].contains(type) else {
            return refuse(
                "events", 415, "Content-Type must be application/x-ndjson (native events, one per line)",
                encoding: .json, bytes: 0)
        }
        var request = request
        let body: Data
        switch await self.body(of: &request, endpoint: "events", encoding: .json) {
        case .success(let data): body = data
        case .failure(let refused): return refused.response
        }
        let agent = request.uri.queryParameters["agent"].map(String.init) ?? configuration.defaultAgent
        var batch: IntakeBatch
        do {
            batch = decoder.events(
                try decoder.decoded(body, contentEncoding: request.headers[.contentEncoding]), agent: agent)
        } catch {
            return refuse("events", Self.status(of: error), error.message, encoding: .json, bytes: body.count)
        }
        if let response = await commit(&batch, kind: "events", endpoint: "events", encoding: .json, bytes: body.count) {
            return response
        }
        var object: [String: Any] = ["accepted": batch.records.count, "rejected": batch.rejectedCount]
        if let message = batch.firstError { object["error_message"] = message }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return answer("events", .ok, data, contentType: "application/json", bytes: body.count)
    }

    /// The request's body after the token check and the size limit; or the response refusing it.
    func body(of request: inout Request, endpoint: String, encoding: TraceEncoding) async -> Result<Data, Refused> {
        if let token, !token.admits(request.headers[.authorization]) {
            logger.notice("refused a request without the bearer token", metadata: ["endpoint": "\(endpoint)"])
            return .failure(Refused(refuse(endpoint, 401, "a bearer token is required", encoding: encoding, bytes: 0)))
        }
        let limit = configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            return .failure(
                Refused(
                    refuse(
                        endpoint, 413, "the body is over \(limit) bytes (monitor serve --max-body-bytes)",
                        encoding: encoding, bytes: 0)))
        }
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return .success(Data(buffer.readableBytesView))
        } catch {
            return .failure(
                Refused(
                    refuse(
                        endpoint, 413, "the body is over \(limit) bytes (monitor serve --max-body-bytes)",
                        encoding: encoding, bytes: 0)))
        }
    }

    /// Commits the batch and counts it; the response refusing it when the ledger could not take it.
    func commit(_ batch: inout IntakeBatch, kind: String, endpoint: String, encoding: TraceEncoding, bytes: Int)
        async -> Response?
    {
        let fresh: [Bool]
        do {
            fresh = try await writer.commit(batch.records)
        } catch {
            switch error {
            case .overloaded:
                return refuse(
                    endpoint, 429, "the ledger is behind: retry later", encoding: encoding, bytes: bytes,
                    retryAfter: 1)
            case .unavailable(let reason):
                return refuse(endpoint, 503, reason, encoding: encoding, bytes: bytes, retryAfter: 5)
            }
        }
        let accepted = fresh.filter { $0 }.count
        metrics.records(
            kind, accepted: accepted, duplicates: fresh.count - accepted, rejected: batch.rejected,
            dropped: batch.dropped)
        for fact in batch.facts where fresh[fact.record] {
            metrics.fact(fact.event, agent: fact.agent)
            if case .task(let task) = fact.event, let trace = task.traceId {
                let earlier = traces.root(trace: trace, .init(agent: fact.agent, version: task.version))
                if earlier > 0 { metrics.rogue(agent: fact.agent, version: task.version, count: earlier) }
            }
        }
        for call in batch.rogueCalls where fresh[call.record] {
            if let root = traces.rogueCall(trace: call.trace) {
                metrics.rogue(agent: root.agent, version: root.version, count: 1)
            }
        }
        for trace in batch.taskSpanTraces { traces.taskSpan(trace: trace) }
        // A trace whose task span came in an earlier request is left to the looks, which read all its spans.
        for entry in batch.unusable where !traces.hadTaskSpan(trace: entry.trace) {
            metrics.unusable(agent: entry.agent, reason: entry.reason, traces: 1, spans: entry.spans)
            if unusableLog.admits("\(entry.agent)/\(entry.reason.rawValue)") {
                logger.warning(
                    "traces gave no task",
                    metadata: [
                        "agent": "\(entry.agent)", "reason": "\(entry.reason.rawValue)",
                        "advice": "\(entry.reason.advice)",
                    ])
            }
        }
        for (reason, count) in batch.rejected.sorted(by: { $0.key < $1.key }) where rejectionLog.admits(reason) {
            logger.warning(
                "spans refused",
                metadata: ["reason": "\(reason)", "spans": "\(count)", "first": "\(batch.firstError ?? "")"])
        }
        logger.debug(
            "committed",
            metadata: [
                "endpoint": "\(endpoint)", "accepted": "\(accepted)", "duplicates": "\(fresh.count - accepted)",
                "rejected": "\(batch.rejectedCount)",
            ])
        return nil
    }

    /// A response that refuses a request, as a `google.rpc.Status` in the request's encoding.
    func refuse(
        _ endpoint: String, _ status: Int, _ message: String, encoding: TraceEncoding, bytes: Int,
        retryAfter: Int? = nil
    ) -> Response {
        var response = answer(
            endpoint, HTTPResponse.Status(code: status),
            OTLPResponse.status(code: OTLPResponse.grpcCode(httpStatus: status), message: message, encoding: encoding),
            contentType: encoding.contentType, bytes: bytes)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    func answer(_ endpoint: String, _ status: HTTPResponse.Status, _ data: Data, contentType: String, bytes: Int)
        -> Response
    {
        metrics.request(endpoint: endpoint, status: status.code, bytes: bytes)
        return Response(
            status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func status(of refusal: IntakeRefusal) -> Int {
        switch refusal {
        case .badRequest: 400
        case .tooLarge: 413
        case .unsupportedMedia: 415
        }
    }

    /// A response that ends a request early.
    struct Refused: Error {
        let response: Response
        init(_ response: Response) { self.response = response }
    }
}

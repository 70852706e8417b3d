import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Prometheus
import RunLedger
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
    /// How spans become tasks (the policy's `monitor.otlp` and prices): the events stored and the live metrics.
    package var options: OTLPOptions
    /// With `--retain`: how long raw intake is kept, and how often it is pruned.
    package var retain: Duration?
    /// Bytes, connections and time.
    package var limits = IntakeLimits()
    /// With `--probe-listen`: a second port serving only `/healthz`, `/readyz` and `/metrics`, outside the intake
    /// port's connection limit, so the probes are answered when the fleet's connections fill it.
    package var probe: (host: String, port: Int)?
    /// Endpoints other modules serve on the intake port (the decisions API), behind the same token.
    package var routes: [any ServedRoutes] = []

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
    let metrics: IntakeMetrics
    /// Warnings of traces that gave no task and of refused spans, at most one a minute per agent and reason.
    let unusableLog: LogThrottle
    let rejectionLog = LogThrottle(interval: 60)
    let writer: IntakeWriter
    let held: HeldBytes

    /// A server on `ledger` (opened and migrated); reads the token file.
    package init(configuration: IntakeConfiguration, ledger: Ledger, logger: Logger) throws(IntakeSetupError) {
        self.configuration = configuration
        self.logger = logger
        token = try configuration.tokenFile.map { path throws(IntakeSetupError) in try BearerToken(file: path) }
        decoder = IntakeDecoder(
            defaultAgent: configuration.defaultAgent, maxBodyBytes: configuration.maxBodyBytes,
            options: configuration.options)
        let metrics = IntakeMetrics()
        self.metrics = metrics
        let unusableLog = LogThrottle(interval: 60)
        self.unusableLog = unusableLog
        writer = IntakeWriter(
            ledger: ledger, assembler: IntakeAssembler(options: configuration.options),
            maxQueuedRecords: configuration.maxQueuedRecords, minFreeBytes: configuration.maxBodyBytes,
            metrics: metrics, logger: logger,
            swept: { outcome in Self.count(outcome, metrics: metrics, unusableLog: unusableLog, logger: logger) })
        held = HeldBytes(limit: configuration.limits.maxHeldBytes)
    }

    /// Serves until SIGTERM or SIGINT; `listening` is called with the bound port (the one asked for, or the
    /// one the system chose for port 0).
    ///
    /// On SIGTERM the server stops taking connections and lets the requests in flight finish and commit, for at
    /// most `--drain-timeout`; then what is unfinished is dropped unacknowledged (its senders retry it), and the
    /// process returns.
    ///
    /// Every long-running part is a service of one group, shut down in the reverse of this order: the probe
    /// server, the HTTP server (its requests finish and commit), pruning, checkpoints, and last the writer,
    /// which commits anything still queued.
    package func run(
        listening: @escaping @Sendable (Int) -> Void, clock: any Clock<Duration> = ContinuousClock()
    ) async throws {
        var services: [any Service] = [writer]
        if let checkpoints = try writer.currentLedger.separateCheckpoints() {
            services.append(IntakeCheckpointer(ledger: checkpoints, logger: logger, clock: clock))
        }
        if let retain = configuration.retain {
            services.append(
                PruneService(ledger: { [writer] in writer.currentLedger }, retain: retain, logger: logger, clock: clock)
            )
        }
        let limits = configuration.limits
        let router = Router(context: IntakeRequestContext.self)
        router.post("/v1/traces") { request, context in await traces(request, context) }
        router.post("/v1/events") { request, context in await events(request, context) }
        router.post("/v1/logs") { request, context in await logs(request, context) }
        let support = RouteSupport(token: token, metrics: metrics)
        for routes in configuration.routes { routes.add(to: router, support: support) }
        addProbes(to: router)
        let logger = logger
        let http = HTTPServerBuilder.http1(configuration: .init(idleTimeout: .init(limits.idleTimeout)))
        let app = Application(
            router: router, server: http,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "agent-canary-monitor",
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections, logger: logger)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("listening", metadata: ["port": "\(port)"])
                listening(port)
            },
            logger: logger)
        services.append(app)
        if let probe = configuration.probe {
            let probes = Router(context: BasicRequestContext.self)
            addProbes(to: probes)
            services.append(
                Application(
                    router: probes, server: http,
                    configuration: ApplicationConfiguration(
                        address: .hostname(probe.host, port: probe.port), serverName: "agent-canary-monitor",
                        availableConnectionsDelegate: MaximumAvailableConnections(64, logger: logger)),
                    onServerRunning: { channel in
                        logger.info("probes listening", metadata: ["port": "\(channel.localAddress?.port ?? 0)"])
                    },
                    logger: logger))
        }
        var group = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // Past the drain deadline the requests still in flight are cancelled: those waiting for a commit are
        // answered 503 at once, those still reading their body end with their connection.
        group.maximumGracefulShutdownDuration = limits.drainTimeout
        try await ServiceGroup(configuration: group).run()
    }

    /// `GET /metrics` (Prometheus text), `/healthz` (the process runs) and `/readyz` (the ledger commits).
    func addProbes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/metrics") { _, _ in
            metrics.heldBytes.set(Int64(held.current))
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.text())))
        }
        router.get("/healthz") { _, _ in plain(.ok, "ok\n") }
        router.get("/readyz") { _, _ in
            // The ledger was opened and migrated before the server started; what can change is whether it commits.
            if let reason = writer.notReady { return plain(.serviceUnavailable, "not ready: \(reason)\n") }
            return plain(.ok, "ready\n")
        }
    }

    // MARK: - Endpoints

    /// `POST /v1/traces`: the spans, kept as records of their traces.
    func traces(_ request: Request, _ context: IntakeRequestContext) async -> Response {
        await export(
            request, context, endpoint: "traces", kind: "spans", decode: decoder.traces, respond: OTLPResponse.export)
    }

    /// `POST /v1/logs`: the evaluation results (and guardrail results) among the log records, kept as records
    /// of their traces; every other record is acknowledged and dropped.
    func logs(_ request: Request, _ context: IntakeRequestContext) async -> Response {
        await export(
            request, context, endpoint: "logs", kind: "logs", decode: decoder.logs, respond: OTLPResponse.logsExport)
    }

    /// An OTLP/HTTP export: the content type and the body checked, decompressed, decoded by `decode` into records
    /// of `kind`, committed, and answered by `respond` (the export response, with its partial success).
    func export(
        _ request: Request, _ context: IntakeRequestContext, endpoint: String, kind: String,
        decode: (Data, TraceEncoding) throws(IntakeRefusal) -> IntakeBatch,
        respond: (Int, String?, TraceEncoding) -> Data
    ) async -> Response {
        guard let encoding = TraceEncoding(contentType: request.headers[.contentType]) else {
            return refuse(
                endpoint, 415, "Content-Type must be application/x-protobuf or application/json", encoding: .json,
                bytes: 0)
        }
        let holding = HeldRequest(budget: held)
        defer { holding.releaseAll() }
        let body: Data
        switch await self.body(of: request, context, endpoint: endpoint, encoding: encoding, holding: holding) {
        case .success(let data): body = data
        case .failure(let refused): return refused.response
        }
        let received = body.count
        var batch: IntakeBatch
        do {
            let plain = try decoder.decoded(body, contentEncoding: request.headers[.contentEncoding])
            // What the body decompresses to, and the spans decoded from it, are held too.
            guard holding.take(plain.count == received ? received : plain.count * 2) else {
                return overHeld(endpoint, encoding: encoding, bytes: received)
            }
            batch = try decode(plain, encoding)
        } catch {
            return refuse(endpoint, Self.status(of: error), error.message, encoding: encoding, bytes: received)
        }
        // The records wait for their commit.
        guard holding.take(batch.heldBytes) else {
            return overHeld(endpoint, encoding: encoding, bytes: received)
        }
        if let response = await commit(&batch, kind: kind, endpoint: endpoint, encoding: encoding, bytes: received) {
            return response
        }
        let data = respond(batch.rejectedCount, batch.firstError, encoding)
        return answer(endpoint, .ok, data, contentType: encoding.contentType, bytes: received)
    }

    func events(_ request: Request, _ context: IntakeRequestContext) async -> Response {
        let type = IntakeDecoder.mediaType(of: request.headers[.contentType])
        guard ["application/x-ndjson", "application/jsonl", "application/json", "text/plain"].contains(type) else {
            return refuse(
                "events", 415, "Content-Type must be application/x-ndjson (native events, one per line)",
                encoding: .json, bytes: 0)
        }
        let holding = HeldRequest(budget: held)
        defer { holding.releaseAll() }
        let body: Data
        switch await self.body(of: request, context, endpoint: "events", encoding: .json, holding: holding) {
        case .success(let data): body = data
        case .failure(let refused): return refused.response
        }
        let agent = request.uri.queryParameters["agent"].map(String.init) ?? configuration.defaultAgent
        var batch: IntakeBatch
        do {
            let plain = try decoder.decoded(body, contentEncoding: request.headers[.contentEncoding])
            guard holding.take(plain.count * 2) else { return overHeld("events", encoding: .json, bytes: body.count) }
            batch = decoder.events(plain, agent: agent)
        } catch {
            return refuse("events", Self.status(of: error), error.message, encoding: .json, bytes: body.count)
        }
        if let response = await commit(&batch, kind: "events", endpoint: "events", encoding: .json, bytes: body.count) {
            return response
        }
        var object: [String: Any] = ["accepted": batch.events.count, "rejected": batch.rejectedCount]
        if let message = batch.firstError { object["error_message"] = message }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return answer("events", .ok, data, contentType: "application/json", bytes: body.count)
    }

    /// Commits the batch and counts it; the response refusing it when the ledger could not take it.
    func commit(_ batch: inout IntakeBatch, kind: String, endpoint: String, encoding: TraceEncoding, bytes: Int)
        async -> Response?
    {
        let outcome: IntakeOutcome
        do {
            outcome = try await writer.commit(batch)
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
        metrics.records(
            kind, accepted: outcome.accepted, duplicates: outcome.duplicates, rejected: batch.rejected,
            dropped: batch.dropped)
        Self.count(outcome, metrics: metrics, unusableLog: unusableLog, logger: logger)
        for (reason, count) in batch.rejected.sorted(by: { $0.key < $1.key }) where rejectionLog.admits(reason) {
            logger.warning(
                "spans refused",
                metadata: ["reason": "\(reason)", "spans": "\(count)", "first": "\(batch.firstError ?? "")"])
        }
        logger.debug(
            "committed",
            metadata: [
                "endpoint": "\(endpoint)", "accepted": "\(outcome.accepted)", "duplicates": "\(outcome.duplicates)",
                "rejected": "\(batch.rejectedCount)",
            ])
        return nil
    }

    /// Counts what a commit stored in the live metrics: its new tasks and violations, and its traces that gave
    /// no task (logged, at most once a minute per agent and reason) or no valid event.
    static func count(_ outcome: IntakeOutcome, metrics: IntakeMetrics, unusableLog: LogThrottle, logger: Logger) {
        for fact in outcome.facts { metrics.fact(fact.event, agent: fact.agent) }
        for entry in outcome.unusable {
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
        for error in outcome.invalid.prefix(1) where unusableLog.admits("invalid") {
            logger.warning("a trace completed by several requests gave no valid event", metadata: ["error": "\(error)"])
        }
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

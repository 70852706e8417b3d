import Analysis
import ArgumentParser
import CommandSupport
import Decisions
import Foundation
import Intake
import Logging
import Policy
import PolicyFiles
import RunLedger
import Telemetry
import ToolContract

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Receive the fleet's telemetry over OTLP/HTTP (and native events) into the ledger.",
        discussion: """
            POST /v1/traces takes OTLP/HTTP trace exports (application/x-protobuf or application/json, gzip or \
            not); POST /v1/events takes native events (JSONL, schemas/agent-event.schema.json; ?agent=NAME). \
            Each request is answered 200 only once its records are committed to the ledger; a retried request \
            counts once; a trace a look would refuse is refused in partial_success. 400 undecodable body, 401 \
            missing bearer token (--token-file), 408 a body not whole within --read-timeout, 413 over \
            --max-body-bytes, 415 another content type, 429 with Retry-After when the ledger is behind or the \
            requests in flight hold --max-held-bytes, 503 with Retry-After while the ledger fails. GET /metrics \
            (Prometheus text), /healthz, /readyz (also on --probe-listen). Looks read what it stored with \
            monitor analyze --run ID --intake, or ask the server: POST /v1/runs/RUN/looks (?act=true carries the \
            decision out), GET /v1/runs/RUN/decision, GET /v1/agents/AGENT/runs/current (404 unknown, 409 not \
            progressing); the Kayenta API under /kayenta/ (Argo Rollouts' kayenta provider, Spinnaker) and \
            Flagger's webhooks under /flagger/ answer from the same looks. SIGTERM or SIGINT: the requests in flight finish and commit \
            within --drain-timeout (the rest are dropped unacknowledged), exit 0. Exit status: 64 usage error, 65 bad policy, 66 missing token file, 69 cannot listen or \
            reach the ledger, 70 internal error.
            """)

    @Option(help: ArgumentHelp("Where to listen (port 0: any free port, printed).", valueName: "host:port"))
    var listen = "127.0.0.1:4318"

    @Option(
        help: ArgumentHelp(
            "The release policy: its agent.name (the agent of spans without service.name) and monitor.otlp.",
            valueName: "canary.yaml"))
    var policy: String?

    @Option(help: ArgumentHelp("The agent of records that name none (overrides the policy's).", valueName: "name"))
    var agent: String?

    @Option(
        name: .customLong("token-file"),
        help: ArgumentHelp("Require Authorization: Bearer with the token this file holds.", valueName: "file"))
    var tokenFile: String?

    @Option(
        name: .customLong("max-body-bytes"),
        help: ArgumentHelp("The largest request body, before and after decompression.", valueName: "n"))
    var maxBodyBytes = 16 << 20

    @Option(
        name: .customLong("max-queued-records"),
        help: ArgumentHelp("Records waiting for a commit beyond which requests get 429.", valueName: "n"))
    var maxQueuedRecords = 200_000

    @Option(
        name: .customLong("max-held-bytes"),
        help: ArgumentHelp(
            "Bytes held for requests in flight (bodies, decompressed, decoded until committed) beyond which "
                + "requests get 429.", valueName: "n"))
    var maxHeldBytes = IntakeLimits().maxHeldBytes

    @Option(
        name: .customLong("max-connections"),
        help: ArgumentHelp("Open connections on the intake port; more wait in the listen backlog.", valueName: "n"))
    var maxConnections = IntakeLimits().maxConnections

    @Option(
        name: .customLong("idle-timeout"),
        help: ArgumentHelp("Close a connection that sends nothing for this long.", valueName: "duration"))
    var idleTimeout = "15s"

    @Option(
        name: .customLong("read-timeout"),
        help: ArgumentHelp(
            "Answer 408 and close when a body has not arrived whole in this time.", valueName: "duration"))
    var readTimeout = "30s"

    @Option(
        name: .customLong("drain-timeout"),
        help: ArgumentHelp(
            "After SIGTERM, drop requests still unfinished after this long (unacknowledged) and exit.",
            valueName: "duration"))
    var drainTimeout = "20s"

    @Option(
        name: .customLong("probe-listen"),
        help: ArgumentHelp(
            "Also serve /healthz, /readyz and /metrics here, outside the intake port's connection limit.",
            valueName: "host:port"))
    var probeListen: String?

    @Option(
        help: ArgumentHelp(
            "Delete raw intake received longer ago than this (7d, 12h) once every open run has read it.",
            valueName: "duration"))
    var retain: String?

    @Option(
        name: .customLong("out-dir"),
        help: ArgumentHelp(
            "Where the looks controllers ask for write each run's analysis.json (and rollout.json): <dir>/<run>/.",
            valueName: "dir"))
    var outDir = "agent-canary-out/serve"

    @Flag(
        name: .customLong("open-controller-hooks"),
        help: ArgumentHelp(
            "Serve /kayenta/ and /flagger/ without the bearer token: Argo's kayenta provider, Spinnaker and Flagger "
                + "send none. The /v1/ API keeps it."))
    var openControllerHooks = false

    @OptionGroup var ledger: LedgerOptions

    func validate() throws {
        guard Self.address(listen) != nil else { throw ValidationError("--listen '\(listen)' is not host:port") }
        if maxBodyBytes < 1024 { throw ValidationError("--max-body-bytes must be at least 1024") }
        if maxQueuedRecords < 1 { throw ValidationError("--max-queued-records must be at least 1") }
        if maxHeldBytes < maxBodyBytes {
            throw ValidationError("--max-held-bytes must be at least --max-body-bytes (\(maxBodyBytes))")
        }
        if maxConnections < 1 { throw ValidationError("--max-connections must be at least 1") }
        for (name, value) in [
            ("--idle-timeout", idleTimeout), ("--read-timeout", readTimeout), ("--drain-timeout", drainTimeout),
        ] where (DurationArgument.parse(value) ?? .zero) <= .zero {
            throw ValidationError("\(name) '\(value)' is not a duration such as 15s or 1m")
        }
        if let probeListen, Self.address(probeListen) == nil {
            throw ValidationError("--probe-listen '\(probeListen)' is not host:port")
        }
        if let retain, (DurationArgument.parse(retain) ?? .zero) <= .zero {
            throw ValidationError("--retain '\(retain)' is not a duration such as 12h or 7d")
        }
    }

    static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        let host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return host.isEmpty ? nil : (host, port)
    }

    func run() async throws {
        var logger = ToolRunner.logger(label: "monitor.serve")
        if ProcessInfo.processInfo.environment["AGENT_CANARY_LOG_LEVEL"] == nil { logger.logLevel = .info }
        try await ToolRunner.run {
            let loaded = try PolicyLoader.load(path: policy, agentName: agent)
            let name = loaded.policy.agent.name.isEmpty ? "unnamed-agent" : loaded.policy.agent.name
            let (host, port) = Self.address(listen) ?? ("127.0.0.1", 4318)
            let opened = try Ledger(path: ledger.path, logger: logger)
            var configuration = IntakeConfiguration(
                host: host, port: port, defaultAgent: name, maxBodyBytes: maxBodyBytes,
                maxQueuedRecords: maxQueuedRecords, tokenFile: tokenFile,
                options: OTLPOptions(monitor: loaded.policy.monitor), retain: retain.flatMap(DurationArgument.parse))
            configuration.limits.maxHeldBytes = maxHeldBytes
            configuration.limits.maxConnections = maxConnections
            configuration.limits.idleTimeout = DurationArgument.parse(idleTimeout) ?? .seconds(15)
            configuration.limits.readTimeout = DurationArgument.parse(readTimeout) ?? .seconds(30)
            configuration.limits.drainTimeout = DurationArgument.parse(drainTimeout) ?? .seconds(20)
            configuration.probe = probeListen.flatMap(Self.address)
            let desk = DecisionDesk(
                settings: DecisionSettings(
                    ledgerPath: ledger.path, policyPath: policy, outDir: outDir,
                    environment: ProcessInfo.processInfo.environment, logger: logger))
            configuration.routes = [
                DecisionRoutes(desk: desk), KayentaRoutes(desk: desk, open: openControllerHooks),
                FlaggerRoutes(desk: desk, open: openControllerHooks, logger: logger),
            ]
            let server = try IntakeServer(configuration: configuration, ledger: opened, logger: logger)
            do {
                try await server.run { bound in
                    ToolRunner.printResult(
                        "monitor serve: listening on \(host):\(bound), ledger \(Ledger.displayName(ledger.path))")
                }
            } catch let error as IntakeSetupError {
                throw error
            } catch let error as LedgerError {
                // The checkpoint connection of a SQLite ledger could not be opened: the ledger's own error.
                throw error
            } catch {
                throw IntakeSetupError.listen(address: listen, reason: "\(error)")
            }
            return 0
        }
    }
}

// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "AgentCanary",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "benchmark-gate", targets: ["benchmark-gate"]),
        .executable(name: "canary-deploy", targets: ["canary-deploy"]),
        .executable(name: "monitor", targets: ["monitor"]),
        .executable(name: "feedback-export", targets: ["feedback-export"]),
        .executable(name: "agent-sim", targets: ["agent-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        // monitor serve: the HTTP server (without its swift-configuration trait) and its Prometheus metrics.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0", traits: []),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // `swift package generate-documentation`: the DocC catalogs of Stages and RunLedger (build-time only).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // Shared libraries: each holds one concern of the four tools.
        // The words every module shares: arm, verdict, decision, metric status, rollout phase and command, mode,
        // task outcome and the policy's handling choices, as enums whose raw values the ledger and artifacts use.
        .target(name: "Vocabulary"),
        // The contract every tool keeps, as values with no I/O: exit statuses, digests, the clock, limits.
        .target(
            name: "ToolContract",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // The contract's file side: staged outputs, bounded input reading, leftovers and failpoints.
        .target(name: "ToolFiles", dependencies: ["ToolContract"]),
        .target(
            name: "RunLedger",
            dependencies: [
                "ToolContract", "ToolFiles",
                "Vocabulary", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        // The release policy's values; PolicyFiles reads them from YAML.
        .target(name: "Policy", dependencies: ["ToolContract", "Vocabulary"]),
        .target(
            name: "PolicyFiles",
            dependencies: ["Policy", "ToolContract", "Vocabulary", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "JSONLines"),
        .target(name: "Redaction", dependencies: ["JSONLines"]),
        .target(
            name: "Datasets",
            dependencies: [
                "Artifacts", "CIOutput", "JSONLines", "RunLedger", "ToolContract", "Vocabulary",
            ]
        ),
        .target(name: "Statistics"),
        .target(
            name: "Notifications",
            dependencies: [
                "CIOutput", "Policy", "RunLedger",
                "Vocabulary", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // OTLP's trace messages, generated once from opentelemetry-proto with swift-protobuf (see the module's file).
        .target(name: "OTLPMessages", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .target(
            name: "Telemetry",
            dependencies: [
                "JSONLines", "OTLPMessages", "ToolContract",
                "Vocabulary", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        // The system zlib, for request bodies sent with Content-Encoding: gzip.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // monitor serve: OTLP/HTTP and native events from the fleet into the ledger, live metrics out.
        .target(
            name: "Intake",
            dependencies: [
                "CZlib", "JSONLines", "OTLPMessages", "RunLedger", "Telemetry", "ToolContract",
                "Vocabulary", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "CIOutput", dependencies: ["ToolContract", "ToolFiles"]),
        .target(name: "BenchmarkResults", dependencies: ["JSONLines", "ToolContract", "ToolFiles"]),
        .target(
            name: "Gate",
            dependencies: [
                "Artifacts", "BenchmarkResults", "CIOutput", "Policy", "Statistics", "ToolContract",
                "Vocabulary",
            ]
        ),
        // One blocking HTTP request on AsyncHTTPClient: Foundation's URLSession would link libcurl into the tools.
        .target(
            name: "HTTPRequests",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .target(
            name: "Simulation",
            dependencies: ["HTTPRequests", "JSONLines", "Statistics", "Telemetry", "ToolContract", "Vocabulary"]),
        // The benchmark drivers: the real binaries timed against reference tools, for the Performance article.
        .target(
            name: "Benchmarks", dependencies: ["JSONLines", "RunLedger", "Simulation", "Telemetry", "ToolContract"]),
        // The analysis core: accumulation, look inputs and the judge, with no I/O, ledger or rollout.
        .target(name: "AnalysisCore", dependencies: ["Policy", "Statistics", "Telemetry", "Vocabulary"]),
        // The artifacts the tools pass one another, each in its envelope.
        .target(name: "Artifacts", dependencies: ["AnalysisCore", "Policy", "ToolContract", "Vocabulary"]),
        .target(
            name: "Evaluation",
            dependencies: ["AnalysisCore", "Policy", "Simulation", "Statistics", "Telemetry", "Vocabulary"]),
        .target(
            name: "Analysis",
            dependencies: [
                "AnalysisCore", "Artifacts", "CIOutput", "HTTPRequests", "JSONLines", "Policy", "RunLedger",
                "Telemetry", "ToolContract",
                "Vocabulary", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "Routing",
            dependencies: [
                "JSONLines", "Policy", "ToolContract", "Vocabulary", .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "Rollout",
            dependencies: [
                "Artifacts", "CIOutput", "Policy", "PolicyFiles", "Routing", "ToolContract",
                "ToolFiles", "Vocabulary",
            ]
        ),
        // The stage layer, over the domain modules: the four stages (the gate, a rollout command, a look, an
        // export), each asked for with a request carrying a StageContext, the recorder that writes them in one
        // order, and the monitor's look composed with a transition (--act).
        .target(
            name: "Stages",
            dependencies: [
                "Analysis", "AnalysisCore", "Artifacts", "BenchmarkResults", "CIOutput", "Datasets", "Gate",
                "JSONLines", "Notifications", "Policy", "PolicyFiles",
                "Redaction", "Rollout", "Routing", "RunLedger", "Telemetry", "ToolContract",
                "ToolFiles", "Vocabulary", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The decisions rollout controllers ask monitor serve for: its own API, Kayenta's and Flagger's webhooks.
        .target(
            name: "Decisions",
            dependencies: [
                "AnalysisCore", "Analysis", "Artifacts", "Intake", "RunLedger", "Stages", "ToolContract", "Vocabulary",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "CommandSupport",
            dependencies: [
                "CIOutput", "RunLedger", "Stages", "ToolContract",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Executables: thin shells over the libraries, named after their binaries.
        .executableTarget(
            name: "benchmark-gate",
            dependencies: [
                "CommandSupport", "Gate", "RunLedger", "Stages", "ToolContract",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "canary-deploy",
            dependencies: [
                "CIOutput", "CommandSupport", "Notifications", "Policy", "Rollout", "Stages", "ToolContract",
                "Vocabulary", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "monitor",
            dependencies: [
                "Analysis", "AnalysisCore", "Artifacts", "CommandSupport", "Decisions", "Intake", "Policy",
                "PolicyFiles",
                "RunLedger", "Stages", "Telemetry", "ToolContract",
                "Vocabulary", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "feedback-export",
            dependencies: [
                "CommandSupport", "Datasets", "Policy", "PolicyFiles", "RunLedger", "Stages", "Telemetry",
                "ToolContract",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "agent-sim",
            dependencies: [
                "Benchmarks", "CommandSupport", "Evaluation", "Simulation", "Telemetry", "ToolContract",
                "Vocabulary", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Tests: one unit target per module, the end-to-end tests (through the binaries) and the services
        // tests (nginx, Prometheus, Chromium, PostgreSQL), over TestSupport's fixtures and helpers.
        .target(
            name: "TestSupport",
            dependencies: [
                "Analysis", "Artifacts", "Statistics", "ToolContract",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "AnalysisCoreTests",
            dependencies: ["AnalysisCore", "Policy", "Statistics", "Telemetry", "Vocabulary"]
        ),
        .testTarget(
            name: "AnalysisTests",
            dependencies: [
                "Analysis", "AnalysisCore", "CommandSupport", "Policy", "Simulation", "Statistics", "Telemetry",
                "TestSupport", "ToolContract",
                "Vocabulary", .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "BenchmarkResultsTests",
            dependencies: ["BenchmarkResults", "TestSupport"]
        ),
        .testTarget(
            name: "DatasetsTests",
            dependencies: ["Datasets"]
        ),
        .testTarget(
            name: "EvaluationTests",
            dependencies: ["Evaluation", "TestSupport", "Vocabulary"]
        ),
        .testTarget(
            name: "GateTests",
            dependencies: ["Artifacts", "BenchmarkResults", "Gate", "Policy", "Simulation", "Vocabulary"]
        ),
        .testTarget(
            name: "JSONLinesTests",
            dependencies: ["JSONLines"]
        ),
        .testTarget(
            name: "RunLedgerTests",
            dependencies: ["RunLedger", "TestSupport", "Vocabulary"]
        ),
        .testTarget(
            name: "OTLPMessagesTests",
            dependencies: ["OTLPMessages", "TestSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .testTarget(
            name: "PolicyTests",
            dependencies: ["Policy", "PolicyFiles", "Vocabulary"]
        ),
        .testTarget(
            name: "RedactionTests",
            dependencies: ["Redaction", "Statistics", "TestSupport"]
        ),
        .testTarget(
            name: "RolloutTests",
            dependencies: ["Policy", "Rollout", "Vocabulary"]
        ),
        .testTarget(
            name: "RoutingTests",
            dependencies: [
                "Policy", "PolicyFiles", "Routing", "TestSupport", "Vocabulary",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "StatisticsTests",
            dependencies: ["Statistics", "TestSupport"]
        ),
        .testTarget(
            name: "TelemetryTests",
            dependencies: [
                "JSONLines", "OTLPMessages", "Statistics", "Telemetry", "TestSupport",
                "Vocabulary", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(
            name: "ToolFilesTests",
            dependencies: ["TestSupport", "ToolContract", "ToolFiles"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Analysis", "AnalysisCore", "Artifacts", "BenchmarkResults", "CIOutput", "Datasets", "JSONLines",
                "Notifications", "Policy", "PolicyFiles", "Rollout", "RunLedger", "Simulation",
                "Stages", "Telemetry",
                "TestSupport", "ToolContract", "ToolFiles", "Vocabulary",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"), .product(name: "Yams", package: "Yams"),
                // The tests run these binaries; depending on them makes `swift test` build them.
                "benchmark-gate", "canary-deploy", "monitor", "feedback-export", "agent-sim",
            ]
        ),
        .testTarget(
            name: "ServicesTests",
            dependencies: [
                "Analysis", "AnalysisCore", "Artifacts", "RunLedger", "TestSupport", "ToolContract",
                // The tests run these binaries; depending on them makes `swift test` build them.
                "benchmark-gate", "canary-deploy", "monitor", "feedback-export", "agent-sim", "Vocabulary",
            ]
        ),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}

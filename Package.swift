// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "AgentCanary",
    platforms: [.macOS(.v14)],
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
    ],
    targets: [
        // Shared libraries: each holds one concern of the four tools.
        // The contract every tool keeps: exit statuses, digests, the clock, staged outputs, bounded input.
        .target(
            name: "ToolContract",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "Ledger",
            dependencies: [
                "Artifacts", "ToolContract",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .target(
            name: "Policy",
            dependencies: ["ToolContract", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "JSONLines"),
        .target(name: "Redaction", dependencies: ["JSONLines"]),
        .target(
            name: "Datasets",
            dependencies: [
                "Artifacts", "CIOutput", "JSONLines", "Ledger", "Redaction", "StageRecording", "ToolContract",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "Statistics"),
        .target(
            name: "Notifications",
            dependencies: [
                "CIOutput", "Ledger", "Policy",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "Telemetry", dependencies: ["JSONLines", "ToolContract"]),
        .target(name: "CIOutput", dependencies: ["ToolContract"]),
        // The stage recorder: the clock, staged outputs, CI files and stage record every stage writes, in order.
        .target(
            name: "StageRecording",
            dependencies: ["CIOutput", "Ledger", "ToolContract", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "BenchmarkResults", dependencies: ["JSONLines", "ToolContract"]),
        .target(
            name: "GateEvaluation",
            dependencies: [
                "Artifacts", "BenchmarkResults", "CIOutput", "Ledger", "Policy", "StageRecording", "Statistics",
                "ToolContract",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "Simulation", dependencies: ["JSONLines", "Statistics", "Telemetry"]),
        // The analysis core: accumulation, look inputs and the judge, with no I/O, ledger or rollout.
        .target(name: "AnalysisCore", dependencies: ["Policy", "Statistics", "Telemetry"]),
        // The artifacts the tools pass one another, each in its envelope.
        .target(name: "Artifacts", dependencies: ["AnalysisCore", "Policy", "ToolContract"]),
        .target(
            name: "Evaluation", dependencies: ["AnalysisCore", "Policy", "Simulation", "Statistics", "Telemetry"]),
        .target(
            name: "Analysis",
            dependencies: [
                "AnalysisCore", "Artifacts", "CIOutput", "JSONLines", "Ledger", "Notifications", "Policy",
                "StageRecording", "Statistics", "Telemetry", "ToolContract",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "Routing",
            dependencies: ["JSONLines", "Policy", "ToolContract", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "Rollout",
            dependencies: [
                "Artifacts", "CIOutput", "Ledger", "Notifications", "Policy", "Routing", "StageRecording",
                "ToolContract",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The stage layer: where a tool's stages meet (the monitor's look and the rollout's transition).
        .target(
            name: "Stages",
            dependencies: [
                "Analysis", "AnalysisCore", "Artifacts", "CIOutput", "Rollout",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "CommandSupport",
            dependencies: [
                "CIOutput", "Ledger", "ToolContract",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Executables: thin shells over the libraries, named after their binaries.
        .executableTarget(
            name: "benchmark-gate",
            dependencies: [
                "CommandSupport", "GateEvaluation", "ToolContract",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "canary-deploy",
            dependencies: [
                "CommandSupport", "Notifications", "Policy", "Rollout", "ToolContract",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "monitor",
            dependencies: [
                "Analysis", "AnalysisCore", "CIOutput", "CommandSupport", "Ledger", "Stages", "Telemetry",
                "ToolContract",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "feedback-export",
            dependencies: [
                "CommandSupport", "Datasets", "Ledger", "Policy", "Telemetry", "ToolContract",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "agent-sim",
            dependencies: [
                "CommandSupport", "Evaluation", "Simulation", "Telemetry", "ToolContract",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Tests.
        .target(
            name: "TestSupport", dependencies: ["Analysis", "Artifacts", "ToolContract"], path: "Tests/TestSupport"),
        .testTarget(
            name: "AgentCanaryTests",
            dependencies: [
                "Artifacts", "ToolContract", "BenchmarkResults", "CIOutput", "CommandSupport", "GateEvaluation",
                "JSONLines", "Ledger",
                "Evaluation", "Notifications", "Policy", "Redaction", "Simulation", "Statistics", "Telemetry",
                "TestSupport",
                // The end-to-end tests run these binaries; depending on them makes `swift test` build them.
                "benchmark-gate", "canary-deploy", "monitor", "feedback-export", "agent-sim", "Datasets", "Rollout",
                "Routing", "Analysis", "AnalysisCore", "Stages",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            exclude: ["Fixtures", "Golden"]
        ),
    ]
)

for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}

// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "spool",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "spool", targets: ["spool"]),
        .executable(name: "spool-bench-placement", targets: ["spool-bench-placement"]),
        .executable(name: "spool-bench-http-floor", targets: ["spool-bench-http-floor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context", from: "1.0.0"),
        // Only the OTLP/HTTP exporter: the default traits would also build gRPC, which Spool does not use.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // Pure domain: job specs, lifecycle, pools, workers, devices, decisions. No I/O.
        .target(name: "SpoolCore", dependencies: ["SortedJSON"], swiftSettings: strict),
        // JSON with sorted keys, byte for byte as Foundation's encoder writes it, in well under half its time. No Spool
        // types. Built without run-time exclusivity checks: every value of a job reaches the arrays of one class, and
        // the checks cost more than writing most values.
        .target(
            name: "SortedJSON", swiftSettings: strict + [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        // Per-GPU memory bookkeeping: first/best/worst fit and buddy, coalescing, defragmentation, overcommit. No
        // Spool types.
        .target(name: "GPUMemoryLedger", swiftSettings: strict),
        // Dispatch order (pure): service classes, fair sharing across tenants, aging, preemption.
        .target(name: "SpoolDispatch", dependencies: ["SpoolCore"], swiftSettings: strict),
        // Placement (pure): fleet snapshots, filter and score plugins, the scheduling cycle and its explanations.
        .target(
            name: "SpoolScheduling", dependencies: ["SpoolCore", "SpoolAPIModels", "GPUMemoryLedger", "SpoolDispatch"],
            swiftSettings: strict),
        // Autoscaling decisions (pure): the HPA rule with stabilization and rates, a seasonal forecast, cost.
        .target(name: "SpoolAutoscaling", dependencies: ["SpoolCore"], swiftSettings: strict),
        // Every type that crosses the HTTP API as JSON (job, pool, tenant, upload, webhook views, problems, pool events,
        // placement explanations) and the API's JSON coding; shared by the server and the client. Values only.
        .target(
            name: "SpoolAPIModels", dependencies: ["SpoolCore", "SpoolAutoscaling", "SortedJSON"], swiftSettings: strict
        ),
        // Autoscaling and packing simulator (pure, virtual time): workloads, policies side by side, reports, SVG charts.
        .target(
            name: "SpoolSimulation",
            dependencies: ["SpoolCore", "SpoolScheduling", "SpoolAutoscaling", "SpoolDispatch", "GPUMemoryLedger"],
            swiftSettings: strict),
        // Actuators that carry out scaling decisions: local worker processes, the Kubernetes scale subresource, a gauge.
        .target(name: "SpoolActuators", dependencies: ["SpoolCore"], swiftSettings: strict),
        // The control plane: leadership (lease and fencing token), the pure housekeeper and the service that carries
        // out its decisions, and the one periodic loop every control-plane service runs.
        .target(
            name: "SpoolControlPlane",
            dependencies: [
                "SpoolCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        // Pool management: the autoscaler service that sizes each pool through an actuator, drains and removes pools.
        .target(
            name: "SpoolPools",
            dependencies: [
                "SpoolCore", "SpoolAPIModels", "SpoolAutoscaling", "SpoolActuators", "SpoolControlPlane",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        // The placement service: runs scheduling cycles against the store, commits placements, preempts.
        .target(
            name: "SpoolPlacement",
            dependencies: [
                "SpoolCore", "SpoolAPIModels", "SpoolAutoscaling", "SpoolScheduling", "SpoolDispatch",
                "GPUMemoryLedger", "SpoolControlPlane", "SpoolTraceContext",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strict),
        // Embedded store: SQLite through GRDB, WAL mode.
        .target(
            name: "SpoolSQLite",
            dependencies: ["SpoolCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // A store in one process's memory: the SQLite store's semantics without a file, for tests and single runs.
        .target(name: "SpoolInMemoryStore", dependencies: ["SpoolCore"], swiftSettings: strict),
        // SSIM of an output's window through FFmpeg's libraries, opened with dlopen when measuring (`WindowSSIM`).
        .target(name: "CWindowSSIM"),
        // Media engine: ffmpeg/ffprobe argument building, probing, running, device discovery.
        .target(
            name: "SpoolMedia",
            dependencies: [
                "SpoolCore", "CWindowSSIM",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // A small S3 client: SigV4 signing, streaming GET/PUT, ranges, listing, copies, multipart uploads, presigned
        // URLs, typed errors and retries. No Spool types.
        .target(
            name: "S3Client",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // Where files live past one machine: the ObjectStorage seam (streamed puts and reads, ranges, listing) with a
        // directory backend, an S3-compatible one and one in memory for tests.
        .target(
            name: "SpoolStorage",
            dependencies: [
                "S3Client",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // The closed / open / half-open circuit breaker (pure, time passed in), shared by Redis, storage and webhooks.
        .target(name: "CircuitBreaking", swiftSettings: strict),
        // A RESP2/RESP3 Redis client on SwiftNIO: pooling, pipelining, scripts, Redis Cluster. No Spool types.
        .target(
            name: "RESPClient",
            dependencies: [
                "CircuitBreaking",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The job store on Redis 7 (single node or Cluster).
        .target(
            name: "SpoolRedis",
            dependencies: [
                "SpoolCore", "RESPClient", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Input access at the edge and in workers: canonical paths under input roots, DNS checks, HTTP fetch.
        .target(name: "SpoolInputs", dependencies: ["SpoolCore"], swiftSettings: strict),
        // Worker: claims jobs from the store, runs them through the media engine, commits outputs.
        .target(
            name: "SpoolWorker",
            dependencies: [
                "SpoolCore", "SpoolMedia", "SpoolInputs", "SpoolControlPlane", "SpoolStorage", "SpoolTraceContext",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strict
        ),
        // Webhooks: the signed deliveries of job endings from the store's outbox, retried, one breaker per host.
        .target(
            name: "SpoolWebhooks",
            dependencies: [
                "SpoolCore", "SpoolAPIModels", "SpoolInputs", "CircuitBreaking", "SpoolControlPlane", "SortedJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The web console: plain HTML, CSS and JavaScript shipped as resources, served with a strict
        // Content-Security-Policy. It reads and writes only through the public /v1 API.
        .target(
            name: "SpoolConsole",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [.copy("Resources/console")],
            swiftSettings: strict),
        // HTTP API (Hummingbird 2): jobs, uploads, events, outputs, pools, workers, health, metrics.
        .target(
            name: "SpoolHTTP",
            dependencies: [
                "SpoolStorage", "SpoolConsole",
                .product(name: "Crypto", package: "swift-crypto"),
                "SpoolPools",
                "SpoolCore", "SpoolAPIModels", "SpoolInputs", "SpoolWebhooks", "CircuitBreaking", "SpoolTraceContext",
                "SortedJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            resources: [.copy("Resources/openapi.yaml")],
            swiftSettings: strict
        ),
        // The composition root: one Codable configuration (store, worker, API, control plane, webhooks; flags, a file or
        // the environment), the rules that go with it (access, worker defaults by pool kind, a child worker's command
        // line), and the services each topology runs, built from it. No argument parsing.
        .target(
            name: "SpoolRuntime",
            dependencies: [
                "SpoolCore", "SpoolHTTP", "SpoolWorker", "SpoolControlPlane", "SpoolSQLite", "SpoolRedis", "RESPClient",
                "SpoolMedia", "SpoolPlacement", "SpoolPools", "SpoolActuators", "SpoolWebhooks", "SpoolScheduling",
                "SpoolStorage", "S3Client", "SpoolAutoscaling",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        // A job's place in a trace: W3C traceparent headers and stored values to a tracing context and back,
        // through whichever tracer the process bootstrapped (the Tracing API only), and Spool's span attribute names.
        .target(
            name: "SpoolTraceContext",
            dependencies: [
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ],
            swiftSettings: strict),
        // OpenTelemetry: traces over OTLP/HTTP from the standard OTEL_* variables (off when unset), trace_id in logs.
        // The only target that sees OTel; others make spans through the Tracing API alone.
        .target(
            name: "SpoolTracing",
            dependencies: [
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        // HTTP client the CLI uses to talk to a server (URLSession; the wire types and domain values only).
        .target(name: "SpoolClient", dependencies: ["SpoolAPIModels", "SpoolCore"], swiftSettings: strict),
        // Commands: serve, submit, status, jobs, cancel, workers, pools.
        .target(
            name: "SpoolCommands",
            dependencies: [
                "SpoolCore", "SpoolAPIModels", "SpoolSQLite", "SpoolMedia", "SpoolWorker", "SpoolHTTP", "SpoolClient",
                "SpoolRedis", "RESPClient", "SpoolPlacement", "SpoolScheduling", "SpoolSimulation", "SpoolWebhooks",
                "SpoolPools", "SpoolActuators", "SpoolRuntime", "SpoolControlPlane", "SpoolTracing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "spool", dependencies: ["SpoolCommands"], swiftSettings: strict),
        // bench/placement: placements per second, pure and through Redis, and profiles compared on one stream.
        .executableTarget(
            name: "spool-bench-placement",
            dependencies: [
                "SpoolScheduling", "SpoolDispatch", "SpoolCore", "SpoolRedis", "RESPClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/placement/Sources", swiftSettings: strict),
        // bench/gateway: Hummingbird on its defaults with one route, the framework's own ceiling beside the gateway.
        .executableTarget(
            name: "spool-bench-http-floor",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/gateway/Sources", swiftSettings: strict),

        .testTarget(
            name: "SortedJSONTests",
            dependencies: ["SortedJSON", "SpoolCore", "SpoolAPIModels"],
            swiftSettings: strict),
        .testTarget(name: "SpoolCoreTests", dependencies: ["SpoolCore", "SpoolAPIModels"], swiftSettings: strict),
        .testTarget(name: "SpoolAPIModelsTests", dependencies: ["SpoolAPIModels", "SpoolCore"], swiftSettings: strict),
        .testTarget(
            name: "SpoolRuntimeTests",
            dependencies: [
                "SpoolRuntime", "SpoolCommands", "SpoolCore", "SpoolHTTP", "SpoolWorker", "SpoolControlPlane",
                "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "SpoolTracingTests",
            dependencies: [
                "SpoolTracing", "SpoolTraceContext",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "SpoolWebhooksTests",
            dependencies: [
                "SpoolInMemoryStore",
                "SpoolWebhooks", "SpoolSQLite", "SpoolCore", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "GPUMemoryLedgerTests",
            dependencies: [
                "GPUMemoryLedger", "TestThreads", .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "SpoolDispatchTests",
            dependencies: [
                "SpoolDispatch", "SpoolCore", "TestThreads",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "SpoolSchedulingTests",
            dependencies: [
                "SpoolScheduling", "SpoolCore", "GPUMemoryLedger", "SpoolDispatch", "SpoolMedia", "SpoolInMemoryStore",
                "TestThreads",
            ],
            swiftSettings: strict),
        .testTarget(
            name: "RESPClientTests",
            dependencies: [
                "RESPClient", "CircuitBreaking", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // The behaviour every JobStore must show; SQLite and Redis run the same checks.
        .target(
            name: "JobStoreConformance", dependencies: ["SpoolCore"], path: "Tests/JobStoreConformance",
            swiftSettings: strict),
        .testTarget(
            name: "SpoolSQLiteTests", dependencies: ["SpoolSQLite", "SpoolCore", "JobStoreConformance", "TestThreads"],
            swiftSettings: strict),
        .testTarget(
            name: "SpoolInMemoryStoreTests", dependencies: ["SpoolInMemoryStore", "SpoolCore", "JobStoreConformance"],
            swiftSettings: strict),
        // The behaviour every ObjectStorage must show; file, memory and S3 run the same checks.
        .target(
            name: "StorageConformance",
            dependencies: [
                "SpoolStorage", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            path: "Tests/StorageConformance", swiftSettings: strict),
        .testTarget(
            name: "SpoolStorageTests", dependencies: ["SpoolStorage", "StorageConformance", "TestSupport", "S3Client"],
            swiftSettings: strict),
        .testTarget(
            name: "S3ClientTests",
            dependencies: [
                "S3Client", "TestSupport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict),
        // Tests that compute for seconds run on threads of their own, leaving the cooperative pool to the ones that await.
        .target(name: "TestThreads", path: "Tests/TestThreads", swiftSettings: strict),
        // Real servers for tests: free ports, redis-server and a Redis Cluster, all stopped by PID; commands run to
        // their end without holding a thread.
        .target(
            name: "TestSupport",
            dependencies: ["SpoolDispatch", .product(name: "Subprocess", package: "swift-subprocess")],
            path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(
            name: "SpoolRedisTests",
            dependencies: ["SpoolRedis", "SpoolCore", "RESPClient", "JobStoreConformance", "TestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "SpoolMediaTests",
            dependencies: ["SpoolMedia", "SpoolCore", "TestSupport", "TestThreads"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(name: "SpoolInputsTests", dependencies: ["SpoolInputs", "SpoolCore"], swiftSettings: strict),
        .testTarget(
            name: "SpoolConsoleTests", dependencies: ["SpoolConsole"], swiftSettings: strict),
        .testTarget(
            name: "SpoolHTTPTests",
            dependencies: [
                "SpoolInMemoryStore",
                "SpoolHTTP", "SpoolCore", "SpoolAPIModels", "SpoolSQLite", "SpoolStorage", "S3Client", "SpoolTracing",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SpoolAutoscalingTests", dependencies: ["SpoolAutoscaling", "SpoolDispatch", "SpoolCore"],
            swiftSettings: strict),
        .testTarget(
            name: "SpoolSimulationTests", dependencies: ["SpoolSimulation", "SpoolCore", "TestThreads"],
            swiftSettings: strict),
        .testTarget(
            name: "SpoolPoolsTests",
            dependencies: [
                "SpoolInMemoryStore",
                "SpoolPools", "SpoolCore", "SpoolAPIModels", "SpoolSQLite", "SpoolActuators", "SpoolAutoscaling",
                "SpoolControlPlane",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "SpoolWorkerTests",
            dependencies: [
                "SpoolInMemoryStore", "SpoolWorker", "SpoolCore", "SpoolSQLite", "SpoolMedia", "SpoolInputs",
                "SpoolControlPlane", "SpoolStorage", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "SpoolPlacementTests",
            dependencies: [
                "SpoolPlacement", "SpoolScheduling", "SpoolDispatch", "SpoolSQLite", "SpoolRedis", "RESPClient",
                "SpoolAutoscaling",
                "SpoolCore", "SpoolAPIModels", "SpoolMedia", "SpoolSimulation", "SpoolInMemoryStore", "GPUMemoryLedger",
                "TestSupport", "TestThreads",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "SpoolControlPlaneTests",
            dependencies: [
                "SpoolControlPlane", "SpoolCore", "SpoolInMemoryStore", "JobStoreConformance",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        // Real `spool` processes: kill -9 and restart, cancel mid-run, bad inputs over real HTTP.
        .testTarget(
            name: "SpoolIntegrationTests",
            dependencies: [
                "SpoolCore", "SpoolAPIModels", "SpoolClient", "SpoolScheduling", "SpoolActuators", "SpoolSQLite",
                "SpoolRedis", "RESPClient", "SpoolWebhooks", "SpoolMedia", "TestSupport", "S3Client",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict),
    ]
)

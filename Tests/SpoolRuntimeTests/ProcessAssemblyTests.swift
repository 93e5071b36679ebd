import Foundation
import Logging
import SpoolCore
import TestSupport
import Testing

@testable import SpoolRuntime

/// The services each topology runs, built from one configuration by `ProcessAssembly`, exactly as the commands build
/// them (nothing is started: the wiring is the test).
@Suite struct ProcessAssemblyTests {
    let logger = Logger(label: "assembly-test")

    func configuration(data: String, redis: String? = nil, file: String? = nil) throws -> RuntimeConfiguration {
        var configuration = try file.map { try RuntimeConfiguration.load(file: $0) } ?? RuntimeConfiguration()
        configuration.store.data = data
        configuration.store.redis = redis
        configuration.worker.inputCacheDirectory = data + "/input-cache"
        return configuration
    }

    func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("spool-assembly-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func assembly(_ configuration: RuntimeConfiguration, environment: [String: String] = [:]) throws
        -> ProcessAssembly
    {
        var assembly = ProcessAssembly(
            configuration: configuration, opened: try OpenedStore.open(configuration), environment: environment,
            logger: logger, announce: { _ in })
        assembly.gpuMetrics = { [] }
        assembly.gpuProcessMemory = { [:] }
        return assembly
    }

    /// A CPU-only machine: libx264 and libx265, four cores, no GPU.
    var cpuMachine: DeviceInventory {
        DeviceInventory(
            host: "test", cpuCores: 4,
            ffmpeg: FFmpegCapabilities(
                ffmpegVersion: "7.1", ffprobeVersion: "7.1", encoders: ["libx264", "libx265"], filters: [],
                hwaccels: []),
            opencl: [], gpus: [])
    }

    @Test func aGatewayServesTheAPIAndNothingElse() async throws {
        let data = try scratch()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let assembled = try await assembly(configuration(data: data)).gateway()
        #expect(assembled.names == ["http", "drain"])
        #expect(assembled.plan.servesAPI && !assembled.plan.runsWorkers && !assembled.plan.runsControlPlane)
    }

    @Test func serveRunsWorkersAndTheWholeControlPlaneAloneOnSQLite() async throws {
        let data = try scratch()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let pools = try PoolSelection.pools(for: cpuMachine, wanted: nil)
        let assembled = try await assembly(configuration(data: data)).serve(
            inventory: cpuMachine, pools: pools, cpuSlots: 2)
        #expect(
            assembled.names == [
                "http", "worker cpu", "placement", "housekeeping", "retention", "pool-manager", "webhooks", "drain",
            ])
        #expect(assembled.plan.leadership == .alone && assembled.plan.recoversAtStart)
    }

    @Test func onRedisServeAndManagerLeadByLease() async throws {
        let redis = try RedisServerProcess()
        defer { redis.stop() }
        try await redis.waitUntilReady()
        let data = try scratch()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let configuration = try configuration(data: data, redis: redis.url)
        // Woken cycles are batched on the shared store, not in one process.
        #expect(try assembly(configuration).schedulerConfiguration().wakeGap == .milliseconds(50))
        #expect(try assembly(try self.configuration(data: data)).schedulerConfiguration().wakeGap == .zero)
        let manager = try await assembly(configuration).manager()
        #expect(
            manager.names == [
                "leader-lease", "housekeeping", "retention", "placement", "scheduler-wake-ups", "pool-manager",
                "webhooks",
            ])
        #expect(manager.plan.leadership == .lease(candidatePrefix: "manager"))
        let serve = try await assembly(configuration).serve(
            inventory: cpuMachine, pools: try PoolSelection.pools(for: cpuMachine, wanted: "cpu"), cpuSlots: nil)
        #expect(serve.names.contains("leader-lease") && serve.plan.leadership == .lease(candidatePrefix: "serve"))
        // On Redis gateways and workers wake the leader through Redis; serve's leader listens too.
        #expect(serve.names.contains("scheduler-wake-ups"))
        #expect(try await assembly(configuration).gateway().names == ["http", "scheduler-wake-ups", "drain"])
        let worker = try await assembly(configuration).worker(
            pool: "cpu", slots: 3, inventory: cpuMachine, inputPolicy: InputPolicy())
        #expect(worker.names == ["worker cpu", "placement-wakeups", "scheduler-wake-ups"])
        #expect(!serve.plan.recoversAtStart, "on a shared store other nodes' workers are alive")
    }

    @Test func refusalsNameWhatToChange() async throws {
        let data = try scratch()
        defer { try? FileManager.default.removeItem(atPath: data) }
        // A manager without Redis.
        await #expect(throws: StartupError.managerNeedsRedis) {
            try await assembly(configuration(data: data)).manager()
        }
        // A public address without keys.
        var open = try configuration(data: data)
        open.api.host = "0.0.0.0"
        await #expect(throws: StartupError.self) { try await assembly(open).gateway() }
        // ...served once an admin key is given.
        let keyed = try await assembly(open, environment: ["SPOOL_ADMIN_KEY": "k3y-of-sixteen-chars"]).gateway()
        #expect(keyed.names.count == 2)
        // A pool this machine cannot serve.
        #expect(throws: StartupError.poolsUnservable(wanted: ["cuda"], servable: ["cpu"])) {
            try PoolSelection.pools(for: cpuMachine, wanted: "cuda")
        }
        await #expect(throws: StartupError.poolsUnservable(wanted: ["cuda"], servable: ["cpu"])) {
            try await assembly(configuration(data: data)).worker(
                pool: "cuda", slots: nil, inventory: cpuMachine, inputPolicy: InputPolicy())
        }
        // A GPU pool asked of a machine whose nvidia-smi is installed but broken: the reason, not "cannot serve".
        var brokenDriver = cpuMachine
        brokenDriver.gpuDiscoveryProblem = "`nvidia-smi --query-gpu=…` exited 9 and printed: NVIDIA-SMI has failed"
        #expect(throws: StartupError.gpuDiscoveryFailed(brokenDriver.gpuDiscoveryProblem!)) {
            try PoolSelection.pools(for: brokenDriver, wanted: "cuda")
        }
        #expect(StartupError.gpuDiscoveryFailed("x").description.contains("only CPU or OpenCL pools"))
        #expect(try PoolSelection.pools(for: brokenDriver, wanted: "cpu").map(\.name) == ["cpu"])
        // A scheduler profile that does not exist.
        var badProfile = try configuration(data: data)
        badProfile.controlPlane.schedulerProfile = "fastest"
        await #expect(throws: StartupError.self) {
            try await assembly(badProfile).serve(inventory: cpuMachine, pools: [], cpuSlots: nil)
        }
    }

    @Test func aWorkerServesAPoolItsMachineCan() async throws {
        let data = try scratch()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let assembly = try assembly(configuration(data: data))
        let assembled = try await assembly.worker(
            pool: "cpu", slots: 3, inventory: cpuMachine, inputPolicy: InputPolicy())
        #expect(assembled.names == ["worker cpu"] && assembled.plan.runsWorkers && !assembled.plan.servesAPI)
    }

    /// One file configures every section; the environment goes over it.
    @Test func oneFileConfiguresEverySection() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(
            #"""
            {"api": {"host": "127.0.0.1", "port": 8081, "input_roots": ["/srv/videos"], "cache_policy": "lru"},
             "control_plane": {"actuator": "gauge", "lease_ttl_seconds": 9, "scheduler_profile": "best_fit"},
             "webhooks": {"attempts": 3}}
            """#.utf8
        ).write(to: URL(fileURLWithPath: path))
        let loaded = try RuntimeConfiguration.load(file: path)
        #expect(loaded.api.port == 8081 && loaded.api.inputRoots == ["/srv/videos"] && loaded.api.cachePolicy == .lru)
        #expect(loaded.controlPlane.actuator == .gauge && loaded.controlPlane.leaseTTLSeconds == 9)
        #expect(
            loaded.webhooks.attempts == 3 && loaded.webhooks.timeoutSeconds == WebhookSenderSettings().timeoutSeconds)
        let overridden = try loaded.overridden(by: ["SPOOL_PORT": "9000", "SPOOL_ACTUATOR": "local"])
        #expect(overridden.api.port == 9000 && overridden.controlPlane.actuator == .local)
        #expect(throws: RuntimeConfigurationError.self) { try loaded.overridden(by: ["SPOOL_ACTUATOR": "swarm"]) }
        #expect(throws: RuntimeConfigurationError.unknownKey("control_plane.lease_ttl")) {
            try Data(#"{"control_plane": {"lease_ttl": 9}}"#.utf8).write(to: URL(fileURLWithPath: path))
            return try RuntimeConfiguration.load(file: path)
        }
    }
}

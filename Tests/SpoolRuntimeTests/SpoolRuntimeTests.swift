import Foundation
import SpoolControlPlane
import SpoolCore
import SpoolHTTP
import SpoolRuntime
import SpoolWorker
import Testing

@testable import SpoolCommands

@Suite struct AccessRulesTests {
    @Test(arguments: ["0.0.0.0", "::", "192.0.2.10", "spool.example.com", "10.1.2.3"])
    func aServerOffLoopbackRefusesToStartWithoutKeys(host: String) {
        #expect(throws: AccessRuleError.keylessOffLoopback(host: host)) {
            try AccessRules.authentication(host: host, adminKey: nil)
        }
        // A blank key is no key.
        #expect(throws: AccessRuleError.keylessOffLoopback(host: host)) {
            try AccessRules.authentication(host: host, adminKey: "  \n")
        }
    }

    @Test(arguments: ["127.0.0.1", "127.1.2.3", "localhost", "::1"])
    func loopbackServesKeylessAsTheDefaultTenant(host: String) throws {
        #expect(try AccessRules.authentication(host: host, adminKey: nil) == .keyless)
    }

    @Test func anAdminKeyTurnsKeysOnAnywhere() throws {
        let key = "an-admin-key-of-some-length\n"
        let mode = try AccessRules.authentication(host: "0.0.0.0", adminKey: key)
        #expect(mode == .keys(adminKeyHash: APIKeys.hash("an-admin-key-of-some-length")))
        #expect(try AccessRules.authentication(host: "127.0.0.1", adminKey: key) == mode)
    }

    @Test func aShortAdminKeyIsRefusedWithItsLength() {
        #expect(throws: AccessRuleError.adminKeyTooShort(length: 5)) {
            try AccessRules.authentication(host: "0.0.0.0", adminKey: "short")
        }
        #expect(AccessRuleError.adminKeyTooShort(length: 5).description.contains("at least 16"))
    }

    /// The CLI applies the same rule: `spool gateway --host 0.0.0.0` without a key fails validation.
    @Test func theGatewayCommandRefusesAPublicAddressWithoutKeys() throws {
        let gateway = try APIOptions.parse(["--host", "0.0.0.0"])
        guard ProcessInfo.processInfo.environment["SPOOL_ADMIN_KEY"] == nil else { return }
        #expect(throws: RuntimeConfigurationError.self) { try gateway.settings.authentication(environment: [:]) }
        let local = try APIOptions.parse(["--host", "127.0.0.1"])
        #expect(try local.settings.authentication(environment: [:]) == .keyless)
    }
}

@Suite struct WorkerSettingsTests {
    func inventory(cores: Int, gpus: Int) -> DeviceInventory {
        let ffmpeg = FFmpegCapabilities(
            ffmpegVersion: "7.1", ffprobeVersion: "7.1", encoders: ["libx264", "h264_nvenc"], filters: ["scale_cuda"],
            hwaccels: ["cuda"])
        let devices = (0..<gpus).map { index in
            GPUDevice(
                index: index, uuid: "GPU-\(index)", name: "NVIDIA L4", memoryTotalMiB: 23_034, memoryUsedMiB: 0,
                utilizationPercent: 0, temperatureC: 40, engines: GPUModelCatalog.engines(forModel: "NVIDIA L4"))
        }
        return DeviceInventory(host: "h", cpuCores: cores, ffmpeg: ffmpeg, opencl: [], gpus: devices)
    }

    @Test func defaultsByPoolKind() {
        let machine = inventory(cores: 6, gpus: 2)
        let cpu = PoolDescriptor(name: "cpu", kind: .cpu, summary: "")
        let cuda = PoolDescriptor(name: "cuda", kind: .cuda, summary: "")
        let opencl = PoolDescriptor(name: "opencl", kind: .opencl, summary: "")
        let settings = WorkerSettings()
        let onCPU = settings.configuration(for: cpu, inventory: machine, all: [cpu, cuda], slots: nil)
        #expect(onCPU.slots == 6 && onCPU.acceptsUnpinned && onCPU.threadsPerOutput == 1)
        let onGPU = settings.configuration(for: cuda, inventory: machine, all: [cpu, cuda], slots: nil)
        #expect(onGPU.slots == 4 && !onGPU.acceptsUnpinned && onGPU.threadsPerOutput == nil)
        // Without a CPU pool on the machine, the GPU and OpenCL pools take unpinned work.
        #expect(settings.configuration(for: cuda, inventory: machine, all: [cuda], slots: nil).acceptsUnpinned)
        let onOpenCL = settings.configuration(for: opencl, inventory: machine, all: [opencl], slots: nil)
        #expect(onOpenCL.slots == 1 && onOpenCL.acceptsUnpinned)
        #expect(settings.configuration(for: cpu, inventory: machine, all: [cpu], slots: 3).slots == 3)
        #expect(onCPU.leaseDuration == .seconds(30) && onCPU.shutdownGrace == .seconds(20))
    }

    @Test func settingsRoundTripAsJSON() throws {
        var settings = WorkerSettings()
        settings.leaseSeconds = 45
        settings.deduplicate = false
        let data = try JSONEncoder().encode(settings)
        #expect(String(decoding: data, as: UTF8.self).contains("\"lease_seconds\":45"))
        #expect(try JSONDecoder().decode(WorkerSettings.self, from: data) == settings)
    }
}

/// A child worker's command line, parsed by the real `spool worker` command, gives the parent's settings back.
@Suite struct ChildWorkerTests {
    @Test(arguments: [nil, "redis://127.0.0.1:6390"])
    func theChildParsesBackToTheParentsSettings(redis: String?) throws {
        var store = StoreSettings()
        store.data = "/srv/spool"
        store.redis = redis
        store.redisShards = 8
        store.maxAttempts = 5
        var worker = WorkerSettings()
        worker.leaseSeconds = 40
        worker.shutdownGraceSeconds = 25
        worker.stallTimeoutSeconds = 90
        worker.dispatch = .pull
        worker.deduplicate = false
        worker.inputCacheBytes = 1 << 20
        worker.instanceType = "g6.xlarge"
        worker.capacityType = .spot
        worker.pricePerHour = 0.32
        worker.instanceCatalog = "/etc/spool/autoscaler.json"
        let child = ChildWorker(
            store: store, worker: worker, inputRoots: ["/srv/in", "/mnt/media"], allowPrivateNetworks: true)
        let arguments = child.arguments(pool: "burst")
        #expect(arguments.first == "worker")
        let parsed = try WorkerCommand.parse(Array(arguments.dropFirst()))
        #expect(parsed.pool == "burst" && parsed.exitWithParent)
        #expect(parsed.inputRoots == ["/srv/in", "/mnt/media"] && parsed.allowPrivateNetworks)
        #expect(parsed.worker.settings == worker)
        // Redis settings travel only with Redis: an embedded child has nothing to shard.
        var expected = store
        if redis == nil { expected.redisShards = StoreSettings().redisShards }
        #expect(parsed.store.settings == expected)
    }
}

/// Which services each topology runs, and how it is led.
@Suite struct TopologyPlanTests {
    @Test func anEmbeddedServerLeadsAloneRecoversAtStartAndKeepsHouseEveryFiveSeconds() {
        let plan = TopologyPlan.of(.serve, clustered: false)
        #expect(plan.leadership == .alone && plan.recoversAtStart)
        #expect(plan.servesAPI && plan.runsWorkers && plan.runsControlPlane)
        #expect(plan.housekeeper == .embedded && plan.housekeepingInterval == .seconds(5))
    }

    @Test func aServerOnRedisLeadsOnlyWhileItHoldsTheLease() {
        let plan = TopologyPlan.of(.serve, clustered: true, workerTimeout: .seconds(15), leaseRenewal: .seconds(2))
        #expect(plan.leadership == .lease(candidatePrefix: "serve") && !plan.recoversAtStart)
        #expect(plan.housekeeper == .cluster(workerTimeout: .seconds(15)) && plan.housekeepingInterval == .seconds(2))
    }

    @Test func aManagerLeadsByLeaseAndServesNoAPI() {
        let plan = TopologyPlan.of(.manager, clustered: true, workerTimeout: .seconds(20), leaseRenewal: .seconds(3))
        #expect(plan.leadership == .lease(candidatePrefix: "manager"))
        #expect(!plan.servesAPI && !plan.runsWorkers && plan.runsControlPlane)
        #expect(plan.housekeeper == .cluster(workerTimeout: .seconds(20)) && plan.housekeepingInterval == .seconds(3))
    }

    @Test(arguments: [Topology.gateway, .worker])
    func gatewaysAndWorkersKeepNoHouseAndNeverLead(topology: Topology) {
        for clustered in [false, true] {
            let plan = TopologyPlan.of(topology, clustered: clustered)
            #expect(plan.leadership == .none && plan.housekeeper == nil && !plan.runsControlPlane)
            #expect(plan.servesAPI == (topology == .gateway) && plan.runsWorkers == (topology == .worker))
        }
    }
}

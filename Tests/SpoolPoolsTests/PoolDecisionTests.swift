import Foundation
import SpoolAutoscaling
import SpoolCore
import Testing

@testable import SpoolPools

/// The pure parts of pool management: who counts against which pool, what each phase does next, the policy a spec
/// turns into, and the requests the API refuses.
@Suite struct PoolDecisionTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func queued(_ id: String, pool: String? = nil, acceleration: Acceleration = .auto, waited: Double = 0) -> QueuedJob
    {
        QueuedJob(
            id: JobID(rawValue: id), version: 1, tenant: .default, serviceClass: .standard, priority: 50, pool: pool,
            acceleration: acceleration, preset: "web-360p",
            shape: WorkloadShape(
                spec: JobSpec(input: .file(path: "/in.mp4"), outputs: Presets.named("web-360p")!.outputs)),
            input: "/in.mp4", createdAt: t0.addingTimeInterval(-waited))
    }

    func worker(_ name: String, pool: String, running: Int = 0, draining: Bool = false) -> WorkerRecord {
        WorkerRecord(
            id: WorkerID(rawValue: name), pool: pool, poolKind: .cpu, host: "h", pid: 1, slots: 1,
            running: (0..<running).map { JobID(rawValue: "\(name)-\($0)") }, devices: nil, startedAt: t0,
            heartbeatAt: t0, draining: draining)
    }

    @Test func pinnedJobsCountForTheirPoolAndUnpinnedOnesForOneEligiblePool() {
        let cpu = PoolSpec(name: "burst", kind: .cpu, maxWorkers: 4, createdAt: t0)
        let gpu = PoolSpec(name: "l4", kind: .cuda, maxWorkers: 4, createdAt: t0)
        var closed = PoolSpec(name: "old", kind: .cpu, maxWorkers: 100, createdAt: t0)
        closed.phase = .draining
        let jobs = [
            queued("pinned", pool: "l4"), queued("nvenc", acceleration: .nvenc), queued("cpu-only", acceleration: .cpu),
            queued("a"), queued("b"), queued("c"), queued("elsewhere", pool: "serve-cpu"),
        ]
        let attributed = PoolDemand.attribute(jobs, to: [cpu, gpu, closed], workers: [])
        let counted = attributed.values.flatMap { $0 }.map(\.id.rawValue)
        // Each job counts once at most; a pool nobody manages and a draining pool attract nothing.
        #expect(counted.count == Set(counted).count)
        #expect(!counted.contains("elsewhere"))
        #expect(attributed["old"] == nil)
        let gpuJobs = Set(attributed["l4"]?.map(\.id.rawValue) ?? [])
        let cpuJobs = Set(attributed["burst"]?.map(\.id.rawValue) ?? [])
        #expect(gpuJobs.isSuperset(of: ["pinned", "nvenc"]))
        #expect(cpuJobs.contains("cpu-only"))
        // The three `auto` jobs spread over both pools by relative load rather than all landing on one.
        #expect(cpuJobs.count + gpuJobs.count == 6)
        #expect(!cpuJobs.isEmpty && gpuJobs.count > 2)
    }

    @Test func signalsCountBusyReadyBootingAndTheOldestWait() {
        let workers = [
            worker("a", pool: "p", running: 2), worker("b", pool: "p"), worker("c", pool: "p", draining: true),
        ]
        let signals = PoolDemand.signals(
            waiting: [queued("x", waited: 30), queued("y", waited: 90)], workers: workers, booting: 2, now: t0)
        #expect(signals.waiting == 2 && signals.inFlight == 2 && signals.busyWorkers == 1)
        #expect(signals.readyWorkers == 2 && signals.bootingWorkers == 2 && signals.currentWorkers == 4)
        #expect(signals.oldestWaitSeconds == 90)
    }

    @Test func phasesLeadToRemovalOnlyOnceEmpty() {
        var pool = PoolSpec(name: "p", kind: .cpu, maxWorkers: 2, createdAt: t0)
        let busy = [worker("a", pool: "p", running: 1)]
        let idle = [worker("a", pool: "p")]
        #expect(PoolStep.next(for: pool, workers: busy, requested: 1, released: false) == .autoscale)

        pool.phase = .draining
        #expect(PoolStep.next(for: pool, workers: busy, requested: 1, released: false) == .waitForJobs(running: 1))
        #expect(PoolStep.next(for: pool, workers: idle, requested: 1, released: false) == .releaseWorkers)
        #expect(PoolStep.next(for: pool, workers: idle, requested: 1, released: true) == .waitForWorkers(remaining: 1))
        // A worker still booting keeps the pool until the actuator has let it go.
        #expect(PoolStep.next(for: pool, workers: [], requested: 1, released: true) == .waitForWorkers(remaining: 1))
        #expect(PoolStep.next(for: pool, workers: [], requested: 0, released: true) == .remove)

        pool.phase = .destroying
        #expect(PoolStep.next(for: pool, workers: busy, requested: 1, released: false) == .releaseWorkers)
    }

    @Test func aSpecBecomesAPolicyWithItsBoundsTargetsAndInstancePrices() {
        let settings = AutoscalerSettings(
            catalog: [
                InstanceType(name: "small", pricePerHour: 0.4, spotPricePerHour: 0.15, bootSeconds: 60, jobSlots: 2),
                InstanceType(name: "big", pricePerHour: 1.6, bootSeconds: 90, jobSlots: 8),
            ])
        let pool = PoolSpec(
            name: "p", kind: .cpu, minWorkers: 1, maxWorkers: 9, instanceType: "small", spot: true,
            scaling: PoolScalingTargets(
                backlogPerWorker: 3, targetWaitSeconds: 20, scaleDownStabilizationSeconds: 45, cooldownSeconds: 7),
            createdAt: t0)
        let policy = settings.policy(for: pool)
        #expect(policy.minWorkers == 1 && policy.maxWorkers == 9 && policy.targetBacklogPerWorker == 3)
        #expect(policy.targetWaitSeconds == 20 && policy.stabilization.scaleDownSeconds == 45)
        #expect(policy.cooldownSeconds == 7)
        #expect(policy.cost?.catalog.types.map(\.name) == ["small"])
        #expect(policy.cost?.serviceClass.allowsSpot == true)
        #expect(settings.hourlyPrice(for: pool) == 0.15)
        #expect(settings.hourlyPrice(for: pool, capacity: .onDemand) == 0.4)
        // Without a catalog the reactive rule decides the count alone; a spot pool still gets the judgement, with
        // no prices, for its choice of spot or on-demand (the interruption backoff).
        let unpriced = AutoscalerSettings().policy(for: pool).cost
        #expect(unpriced?.catalog.types.isEmpty == true && unpriced?.serviceClass.allowsSpot == true)
        var onDemandOnly = pool
        onDemandOnly.spot = false
        #expect(AutoscalerSettings().policy(for: onDemandOnly).cost == nil)
    }

    @Test func requestsThatBreakARuleNameTheField() {
        func field(_ request: PoolRequest, types: Set<String>? = nil) -> String? {
            do {
                _ = try request.validated(now: t0, instanceTypes: types)
                return nil
            } catch {
                return error.field
            }
        }
        #expect(field(PoolRequest(name: "burst", kind: .cpu, maxWorkers: 4)) == nil)
        #expect(field(PoolRequest(name: "Burst", kind: .cpu, maxWorkers: 4)) == "name")
        #expect(field(PoolRequest(name: "-x", kind: .cpu, maxWorkers: 4)) == "name")
        #expect(field(PoolRequest(name: "p", kind: .cpu, minWorkers: 5, maxWorkers: 4)) == "min_workers")
        #expect(field(PoolRequest(name: "p", kind: .cpu, maxWorkers: 0)) == "max_workers")
        #expect(field(PoolRequest(name: "p", kind: .cpu, maxWorkers: 100_000)) == "max_workers")
        #expect(field(PoolRequest(name: "p", kind: .cpu, maxWorkers: 2, slotsPerWorker: 0)) == "slots_per_worker")
        #expect(
            field(PoolRequest(name: "p", kind: .cpu, maxWorkers: 2, instanceType: "huge"), types: ["small"])
                == "instance_type")
        #expect(
            field(PoolRequest(name: "p", kind: .cpu, deviceSelector: DeviceSelector(models: ["L4"]), maxWorkers: 2))
                == "device_selector")
        #expect(
            field(
                PoolRequest(
                    name: "p", kind: .cpu, maxWorkers: 2, scaling: PoolScalingTargets(backlogPerWorker: 0)))
                == "scaling.backlog_per_worker")
        #expect(throws: SpecError.self) {
            try PoolResize(minWorkers: 3).applied(to: PoolSpec(name: "p", kind: .cpu, maxWorkers: 2, createdAt: t0))
        }
    }

    @Test func aDeviceSelectorNarrowsTheWorkersGPUs() {
        let l4 = GPUDevice.fixture(index: 0, name: "NVIDIA L4", memoryMiB: 23_034, nvenc: 2)
        let h200 = GPUDevice.fixture(index: 1, name: "NVIDIA H200", memoryMiB: 143_771, nvenc: 0)
        let t4 = GPUDevice.fixture(index: 2, name: "Tesla T4", memoryMiB: 15_360, nvenc: 1)
        #expect(DeviceSelector(models: ["l4", "T4"]).narrowedIndexes([l4, h200, t4]) == [0, 2])
        #expect(DeviceSelector(minMemoryMiB: 20_000).narrowedIndexes([l4, h200, t4]) == [0, 1])
        #expect(DeviceSelector(requiresEncoder: true).narrowedIndexes([l4, h200, t4]) == [0, 2])
        #expect(DeviceSelector().narrowedIndexes([l4, h200, t4]) == [0, 1, 2])
    }
}

extension DeviceSelector {
    func narrowedIndexes(_ gpus: [GPUDevice]) -> [Int] { gpus.filter(matches).map(\.index) }
}

extension GPUDevice {
    static func fixture(index: Int, name: String, memoryMiB: Int, nvenc: Int) -> GPUDevice {
        GPUDevice(
            index: index, uuid: "GPU-\(index)", name: name, memoryTotalMiB: memoryMiB, memoryUsedMiB: 0,
            engines: VideoEngines(nvenc: nvenc, nvdec: 4))
    }
}

/// The example configuration in deploy/ is what the docs tell people to copy: it must load.
@Suite struct AutoscalerSettingsFileTests {
    @Test func theExampleConfigurationLoads() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/autoscaler.example.json")
        let settings = try AutoscalerSettings.load(path: example.path)
        #expect(settings.catalog.map(\.name) == ["g6.xlarge", "g2-standard-8", "c7i.2xlarge"])
        #expect(settings.batchDeferralSeconds == 1800)
        #expect(settings.batchTroughWaitSeconds == 2880)
        #expect(settings.egressPerGB["aws"] == 0.09)
        #expect(settings.predictive?.minimumConfidence == 0.5)
        #expect(settings.predictive?.seasonLength == 96)
        #expect(settings.rates.scaleUp.count == 2)
    }

    @Test func aTroughWaitShorterThanTheDeferralIsRefused() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("as-\(UUID().uuidString).json")
        try Data(#"{"batch_deferral_seconds": 1800, "batch_trough_wait_seconds": 600}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect {
            _ = try AutoscalerSettings.load(path: file.path)
        } throws: { error in
            "\(error)".contains("batch_trough_wait_seconds needs batch_deferral_seconds and must be at least it")
        }
    }

    @Test func aBrokenFileSaysWhichAndWhy() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("as-\(UUID().uuidString).json")
        try Data(#"{"interval_seconds": 0}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect {
            _ = try AutoscalerSettings.load(path: file.path)
        } throws: { error in
            "\(error)".contains(file.path) && "\(error)".contains("interval_seconds")
        }
    }
}

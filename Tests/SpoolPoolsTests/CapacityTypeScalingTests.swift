import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SpoolActuators
import SpoolAutoscaling
import SpoolControlPlane
import SpoolCore
import SpoolInMemoryStore
import Testing

@testable import SpoolPools

/// The cost judgement's spot or on-demand choice carried out: the pool manager scales a spot pool's spot Deployment
/// (through the Kubernetes contract server), a spot interruption moves the next scale-up to the on-demand
/// Deployment for the backoff, and after it scale-ups go back to spot. Times are passed in; nothing sleeps.
@Suite struct CapacityTypeScalingTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func spec() -> JobSpec {
        JobSpec(input: .file(path: "/in.mp4"), outputs: Presets.named("web-360p")!.outputs, pool: "gpu")
    }

    /// Workers of the pool heartbeating at `time`, as the spot Deployment's pods register.
    func register(_ indices: [Int], capacity: CapacityType, in store: InMemoryJobStore, at time: Date) async throws {
        for index in indices {
            try await store.upsertWorker(
                WorkerRecord(
                    id: WorkerID(rawValue: "wrk_gpu_\(index)"), pool: "gpu", poolKind: .cpu,
                    host: "spool-worker-gpu-\(capacity.rawValue)-\(index)", pid: 1, slots: 1, devices: nil,
                    startedAt: t0, heartbeatAt: time, capacityType: capacity))
        }
    }

    @Test func aSpotInterruptionMovesTheNextScaleUpToOnDemandForTheBackoff() async throws {
        let server = KubernetesContractServer(
            token: "t", namespace: "video", deployments: ["spool-worker-gpu-spot": 0, "spool-worker-gpu-on-demand": 0])
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("k8s-token-\(UUID().uuidString)")
        try Data(server.token.utf8).write(to: tokenFile)
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        let app = Application(router: server.router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let actuator = KubernetesScaleActuator(
                configuration: .init(
                    apiServer: URL(string: "http://127.0.0.1:\(port)")!, namespace: server.namespace,
                    deploymentTemplate: "spool-worker-{pool}", tokenFile: tokenFile.path,
                    // The contract server runs in this test process, which shares two cores with the whole suite.
                    requestTimeout: .seconds(90)))
            try await scenario(actuator: actuator, server: server)
        }
    }

    func scenario(actuator: KubernetesScaleActuator, server: KubernetesContractServer) async throws {
        let store = InMemoryJobStore()
        // No catalog: no prices to weigh, but the pool may run spot, so the judgement still chooses the part.
        let service = PoolManagerService(
            store: store, actuator: actuator,
            settings: AutoscalerSettings(
                rates: .init(scaleUp: [.workers(10, per: 15)], scaleDown: [.workers(10, per: 15)]),
                spotInterruptionBackoffSeconds: 600),
            leadership: .alone(), clock: ContinuousClock(), logger: Logger(label: "test"))
        try await store.createPool(
            PoolSpec(
                name: "gpu", kind: .cpu, maxWorkers: 10, spot: true,
                scaling: PoolScalingTargets(backlogPerWorker: 1, scaleDownStabilizationSeconds: 0, cooldownSeconds: 0),
                createdAt: t0))
        var state = PoolManagerState()

        // Two jobs wait: two spot workers.
        for _ in 0..<2 { _ = try await store.submit(spec(), now: t0) }
        let first = try await service.evaluate(&state, now: t0.addingTimeInterval(1)).first?.decision
        #expect(first?.action == .scaleUp(count: 2, instanceType: nil, spot: true))
        #expect(server.replicas("spool-worker-gpu-spot") == 2)
        #expect(server.replicas("spool-worker-gpu-on-demand") == 0)

        // Both boot; then the provider takes one back: it vanishes without being drained.
        try await register([0, 1], capacity: .spot, in: store, at: t0.addingTimeInterval(10))
        _ = try await service.evaluate(&state, now: t0.addingTimeInterval(10))
        try await store.removeWorker(WorkerID(rawValue: "wrk_gpu_0"))
        try await register([1], capacity: .spot, in: store, at: t0.addingTimeInterval(20))
        for _ in 0..<2 { _ = try await store.submit(spec(), now: t0.addingTimeInterval(20)) }
        let interrupted = try await service.evaluate(&state, now: t0.addingTimeInterval(20)).first?.decision
        #expect(state.lastSpotInterruption["gpu"] == t0.addingTimeInterval(20))
        #expect(interrupted?.action == .scaleUp(count: 2, instanceType: nil, spot: false))
        #expect(interrupted?.rules.contains(.spotInterrupted) == true)
        #expect(server.replicas("spool-worker-gpu-on-demand") == 2, "the scale-up within the backoff is on-demand")
        #expect(server.replicas("spool-worker-gpu-spot") == 2, "the spot part is left as it was")

        // The backoff over, more demand goes to spot again.
        let later = t0.addingTimeInterval(20 + 600 + 1)
        try await register([1], capacity: .spot, in: store, at: later)
        try await register([2, 3], capacity: .onDemand, in: store, at: later)
        for _ in 0..<2 { _ = try await store.submit(spec(), now: later) }
        let recovered = try await service.evaluate(&state, now: later).first?.decision
        guard case .scaleUp(let count, _, let spot) = recovered?.action else {
            Issue.record("expected a scale-up after the backoff, got \(String(describing: recovered))")
            return
        }
        #expect(spot)
        #expect(server.replicas("spool-worker-gpu-spot") == 2 + count)
        #expect(server.replicas("spool-worker-gpu-on-demand") == 2)
    }

    /// An on-demand worker that leaves unasked was not interrupted: the provider does not take those back.
    @Test func anOnDemandWorkerThatLeavesIsNoInterruption() async throws {
        let store = InMemoryJobStore()
        let gauge = DesiredWorkersGauge()
        let service = PoolManagerService(
            store: store, actuator: gauge, settings: AutoscalerSettings(), leadership: .alone(),
            clock: ContinuousClock(), logger: Logger(label: "test"))
        try await store.createPool(
            PoolSpec(
                name: "gpu", kind: .cpu, minWorkers: 1, maxWorkers: 4, spot: true,
                scaling: PoolScalingTargets(backlogPerWorker: 10, scaleDownStabilizationSeconds: 0, cooldownSeconds: 0),
                createdAt: t0))
        gauge.adopt(pool: "gpu", workers: 1, capacity: .onDemand)
        try await register([0], capacity: .onDemand, in: store, at: t0)
        var state = PoolManagerState()
        _ = try await service.evaluate(&state, now: t0)
        try await store.removeWorker(WorkerID(rawValue: "wrk_gpu_0"))
        _ = try await service.evaluate(&state, now: t0.addingTimeInterval(5))
        #expect(state.lastSpotInterruption["gpu"] == nil)
    }

    /// The gauge keeps one count per capacity type; nil reads and releases the whole pool.
    @Test func theGaugeCountsEachCapacityType() async throws {
        let gauge = DesiredWorkersGauge()
        try await gauge.scaleUp(pool: "gpu", by: 3, capacity: .spot)
        try await gauge.scaleUp(pool: "gpu", by: 1, capacity: .onDemand)
        #expect(try await gauge.workerCounts(pool: "gpu", parts: [.spot, .onDemand]) == [.spot: 3, .onDemand: 1])
        #expect(try await gauge.workerCount(pool: "gpu") == 4)
        try await gauge.drain(pool: "gpu", workers: [WorkerAddress(host: "h", pid: 1, capacity: .spot)])
        #expect(try await gauge.workerCount(pool: "gpu", capacity: .spot) == 2)
        try await gauge.releaseAll(pool: "gpu")
        #expect(try await gauge.workerCount(pool: "gpu") == 0)
    }

    /// The local supervisor starts each worker of a part with that part's `--capacity-type`; an undivided pool's
    /// workers are started exactly as before.
    @Test func localWorkersAreStartedWithTheirCapacityType() {
        let supervisor = LocalWorkerSupervisor(
            launch: .init(executable: URL(fileURLWithPath: "/bin/spool"), arguments: { ["worker", "--pool", $0] }))
        #expect(
            supervisor.arguments(pool: "gpu", capacity: .onDemand)
                == ["worker", "--pool", "gpu", "--capacity-type", "on-demand"])
        #expect(supervisor.arguments(pool: "cpu", capacity: nil) == ["worker", "--pool", "cpu"])
    }

    @Test func aWorkerRecordKeepsItsCapacityType() throws {
        let record = WorkerRecord(
            id: WorkerID(rawValue: "wrk_1"), pool: "gpu", poolKind: .cuda, host: "h", pid: 1, slots: 1, devices: nil,
            startedAt: t0, heartbeatAt: t0, capacityType: .onDemand)
        let data = try JSONEncoder().encode(record)
        #expect(String(decoding: data, as: UTF8.self).contains(#""capacity_type":"on-demand""#))
        #expect(try JSONDecoder().decode(WorkerRecord.self, from: data).capacityType == .onDemand)
    }
}

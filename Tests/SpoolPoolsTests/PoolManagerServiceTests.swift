import Foundation
import Logging
import SpoolAPIModels
import SpoolActuators
import SpoolControlPlane
import SpoolCore
import SpoolInMemoryStore
import Testing

@testable import SpoolPools

/// The pool manager against the in-memory store, with the gauge actuator (which only counts): a backlog scales a pool
/// up within one evaluation, an idle pool scales in after its window, and drained and destroyed pools go away with
/// their waiting jobs moved. Times are passed in, so nothing sleeps.
@Suite struct PoolManagerServiceTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    struct Fixture {
        let store: InMemoryJobStore
        let gauge = DesiredWorkersGauge()
        let service: PoolManagerService<ContinuousClock>
        let directory: URL

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "spool-pools-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            store = InMemoryJobStore()
            service = PoolManagerService(
                store: store, actuator: gauge,
                settings: AutoscalerSettings(
                    rates: .init(scaleUp: [.workers(10, per: 15)], scaleDown: [.workers(10, per: 15)])),
                leadership: .alone(), clock: ContinuousClock(), logger: Logger(label: "test"))
        }
    }

    func spec(pool: String?) -> JobSpec {
        JobSpec(input: .file(path: "/in.mp4"), outputs: Presets.named("web-360p")!.outputs, pool: pool)
    }

    /// Registers the workers the gauge asked for, as an HPA following it would start them.
    func register(_ count: Int, pool: String, in store: InMemoryJobStore, at time: Date, running: [JobID] = [])
        async throws
        -> [WorkerRecord]
    {
        var records: [WorkerRecord] = []
        for index in 0..<count {
            let record = WorkerRecord(
                id: WorkerID(rawValue: "wrk_\(pool)_\(index)"), pool: pool, poolKind: .cpu, host: "node-\(index)",
                pid: 100 + Int32(index), slots: 1, running: index < running.count ? [running[index]] : [],
                devices: nil, startedAt: time, heartbeatAt: time)
            try await store.upsertWorker(record)
            records.append(record)
        }
        return records
    }

    @Test func aBacklogScalesUpInOneEvaluationAndIdleWorkersLeaveAfterTheWindow() async throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        try await fixture.store.createPool(
            PoolSpec(
                name: "burst", kind: .cpu, maxWorkers: 5,
                scaling: PoolScalingTargets(backlogPerWorker: 2, scaleDownStabilizationSeconds: 60, cooldownSeconds: 0),
                createdAt: t0))
        for _ in 0..<8 { _ = try await fixture.store.submit(spec(pool: "burst"), now: t0) }
        var state = PoolManagerState()

        let first = try await fixture.service.evaluate(&state, now: t0.addingTimeInterval(1))
        #expect(first.first?.decision?.action == .scaleUp(count: 4, instanceType: nil, spot: false))
        #expect(try await fixture.gauge.workerCount(pool: "burst") == 4)

        // The four boot and take the work; the jobs finish; nothing waits.
        _ = try await register(4, pool: "burst", in: fixture.store, at: t0.addingTimeInterval(2))
        for job in try await fixture.store.list(JobFilter(state: .queued, limit: 20)).jobs {
            _ = try await fixture.store.apply(.cancel, to: job.id, now: t0.addingTimeInterval(3))
        }
        _ = try await fixture.service.evaluate(&state, now: t0.addingTimeInterval(4))
        #expect(try await fixture.gauge.workerCount(pool: "burst") == 4, "inside the stabilization window")

        _ = try await register(4, pool: "burst", in: fixture.store, at: t0.addingTimeInterval(70))
        let late = try await fixture.service.evaluate(&state, now: t0.addingTimeInterval(70))
        guard case .drain(let drained) = late.first?.decision?.action else {
            Issue.record("expected a drain after the window, got \(String(describing: late.first))")
            return
        }
        #expect(drained.count == 4)
        #expect(try await fixture.gauge.workerCount(pool: "burst") == 0)

        // Every decision is in the store with its reasons, newest first.
        let logged = try await fixture.store.scalingDecisions(pool: "burst", limit: 10).map {
            try PoolEventCoding.decode($0.json)
        }
        #expect(logged.first?.decision?.action == late.first?.decision?.action)
        #expect(logged.last?.decision?.reasons.contains { $0.contains("8 waiting") } == true)
    }

    @Test func theResponseTimeSignalIsTheMeanRunOfRecentJobsOfThePool() async throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        try await fixture.store.createPool(PoolSpec(name: "burst", kind: .cpu, maxWorkers: 2, createdAt: t0))
        for (start, end) in [(1.0, 11.0), (2.0, 32.0)] {
            _ = try await fixture.store.submit(spec(pool: "burst"), now: t0)
            let job = try #require(
                try await fixture.store.claimNext(
                    worker: WorkerID(rawValue: "wrk_burst_x"), pool: "burst", acceptsUnpinned: false,
                    leaseDuration: .seconds(60), now: t0.addingTimeInterval(start)))
            _ = try await fixture.store.apply(
                .succeed(try #require(job.currentLease), outputs: []), to: job.id, now: t0.addingTimeInterval(end))
        }
        var state = PoolManagerState()
        let events = try await fixture.service.evaluate(&state, now: t0.addingTimeInterval(40))
        #expect(events.first?.decision?.signals.responseTimeSeconds == 20)
        // Jobs that finished long ago say nothing about now.
        state = PoolManagerState()
        let later = try await fixture.service.evaluate(&state, now: t0.addingTimeInterval(3600))
        #expect(later.first?.decision?.signals.responseTimeSeconds == nil)
    }

    @Test func aSpotWorkerThatLeavesUnaskedCountsAsAnInterruption() async throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        try await fixture.store.createPool(
            PoolSpec(
                name: "spot", kind: .cpu, maxWorkers: 4, spot: true,
                scaling: PoolScalingTargets(backlogPerWorker: 10, scaleDownStabilizationSeconds: 0, cooldownSeconds: 0),
                createdAt: t0))
        fixture.gauge.adopt(pool: "spot", workers: 3)
        let running = try await fixture.store.submit(spec(pool: "spot"), now: t0).job
        _ = try await register(3, pool: "spot", in: fixture.store, at: t0, running: [running.id])
        var state = PoolManagerState()
        let first = try await fixture.service.evaluate(&state, now: t0)
        guard case .drain(let drained) = first.first?.decision?.action else {
            Issue.record("expected a drain, got \(String(describing: first.first))")
            return
        }
        // The drained workers leave as asked: no interruption.
        for id in drained { try await fixture.store.removeWorker(WorkerID(rawValue: id)) }
        _ = try await fixture.service.evaluate(&state, now: t0.addingTimeInterval(5))
        #expect(state.lastSpotInterruption["spot"] == nil)
        // The busy one vanishes unasked: the provider took it back.
        try await fixture.store.removeWorker(WorkerID(rawValue: "wrk_spot_0"))
        _ = try await fixture.service.evaluate(&state, now: t0.addingTimeInterval(10))
        #expect(state.lastSpotInterruption["spot"] == t0.addingTimeInterval(10))
    }

    @Test func scaleInNeverDrainsABusyWorker() async throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        try await fixture.store.createPool(
            PoolSpec(
                name: "p", kind: .cpu, maxWorkers: 5,
                scaling: PoolScalingTargets(backlogPerWorker: 10, scaleDownStabilizationSeconds: 0, cooldownSeconds: 0),
                createdAt: t0))
        fixture.gauge.adopt(pool: "p", workers: 3)
        let running = try await fixture.store.submit(spec(pool: "p"), now: t0).job
        _ = try await register(3, pool: "p", in: fixture.store, at: t0, running: [running.id])
        var state = PoolManagerState()
        let events = try await fixture.service.evaluate(&state, now: t0)
        guard case .drain(let drained) = events.first?.decision?.action else {
            Issue.record("expected a drain, got \(String(describing: events.first))")
            return
        }
        #expect(Set(drained) == ["wrk_p_1", "wrk_p_2"])
    }

    @Test func aDrainedPoolWaitsForItsJobsThenGoesAndItsQueueMoves() async throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        var pool = PoolSpec(name: "old", kind: .cpu, maxWorkers: 2, createdAt: t0)
        try await fixture.store.createPool(pool)
        fixture.gauge.adopt(pool: "old", workers: 1)
        let running = try await fixture.store.submit(spec(pool: "old"), now: t0).job
        let waiting = try await fixture.store.submit(spec(pool: "old"), now: t0).job
        _ = try await register(1, pool: "old", in: fixture.store, at: t0, running: [running.id])
        pool.phase = .draining
        try await fixture.store.updatePool(pool)
        var state = PoolManagerState()

        #expect(try await fixture.service.evaluate(&state, now: t0).first?.kind == .waitForJobs)
        _ = try await register(1, pool: "old", in: fixture.store, at: t0.addingTimeInterval(5))
        #expect(
            try await fixture.service.evaluate(&state, now: t0.addingTimeInterval(5)).first?.kind == .releaseWorkers)
        #expect(try await fixture.gauge.workerCount(pool: "old") == 0)
        #expect(
            try await fixture.service.evaluate(&state, now: t0.addingTimeInterval(6)).first?.kind == .waitForWorkers)
        try await fixture.store.removeWorker(WorkerID(rawValue: "wrk_old_0"))
        let removed = try await fixture.service.evaluate(&state, now: t0.addingTimeInterval(7))
        #expect(removed.first?.kind == .removed)
        #expect(try await fixture.store.pools().isEmpty)
        let moved = try #require(try await fixture.store.job(waiting.id))
        #expect(moved.state == .queued && moved.spec.pool == nil)
    }

    /// A destroyed pool is gone: the jobs that named it fail, saying so (not retried, not dead letters), instead of
    /// running on a pool they did not ask for; jobs that did not name it are untouched.
    @Test func aDestroyedPoolsWaitingJobsFailSayingWhy() async throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        var pool = PoolSpec(name: "burst", kind: .cpu, maxWorkers: 2, createdAt: t0)
        try await fixture.store.createPool(pool)
        let named = try await fixture.store.submit(spec(pool: "burst"), now: t0).job
        let other = try await fixture.store.submit(spec(pool: nil), now: t0).job
        pool.phase = .destroying
        try await fixture.store.updatePool(pool)
        var state = PoolManagerState()
        let events = try await fixture.service.evaluate(&state, now: t0)
        #expect(events.first?.kind == .removed)
        #expect(events.first?.note == "removed; 1 waiting job(s) that named it failed")
        let failed = try #require(try await fixture.store.job(named.id))
        #expect(failed.state == .failed && failed.error?.code == .unsupported && !failed.isDeadLettered)
        #expect(failed.error?.message.hasPrefix("pool burst was destroyed while this job waited for it") == true)
        #expect(failed.expiresAt != nil)
        #expect(try await fixture.store.job(other.id)?.state == .queued)
    }
}

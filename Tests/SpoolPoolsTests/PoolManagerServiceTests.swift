import Foundation
import Logging
import SpoolAPIModels
import SpoolActuators
import SpoolAutoscaling
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

    /// The seasonal forecast lives in the store: a manager that takes over, and a pool resized (its autoscaler made
    /// anew), forecast at once what the first manager forecast, instead of after two seasons of warm-up.
    @Test func theForecastSurvivesAFailoverAndAResize() async throws {
        let store = InMemoryJobStore()
        let predictive = PredictiveSettings(sampleIntervalSeconds: 60, seasonLength: 4, bootSeconds: 60)
        func manager() -> PoolManagerService<ContinuousClock> {
            PoolManagerService(
                store: store, actuator: DesiredWorkersGauge(),
                settings: AutoscalerSettings(predictive: predictive), leadership: .alone(), clock: ContinuousClock(),
                logger: Logger(label: "test"))
        }
        var pool = PoolSpec(name: "seasonal", kind: .cpu, maxWorkers: 20, createdAt: t0)
        try await store.createPool(pool)
        let first = manager()
        var leading = PoolManagerState()
        // Three seasons of a daily shape, one evaluation a minute: 2, 8, 2 and 0 jobs waiting.
        let shape = [2, 8, 2, 0]
        func setBacklog(_ count: Int, at time: Date) async throws {
            for job in try await store.list(JobFilter(state: .queued, limit: 100)).jobs {
                _ = try await store.apply(.cancel, to: job.id, now: time)
            }
            for _ in 0..<count { _ = try await store.submit(spec(pool: "seasonal"), now: time) }
        }
        for minute in 0..<12 {
            let time = t0.addingTimeInterval(Double(minute) * 60 + 1)
            try await setBacklog(shape[minute % 4], at: time)
            _ = try await first.evaluate(&leading, now: time)
        }
        #expect(try await store.demandHistory(pool: "seasonal").count == 11, "every closed minute is stored")

        let now = t0.addingTimeInterval(12 * 60 + 1)
        try await setBacklog(shape[0], at: now)
        let before = try #require(try await first.evaluate(&leading, now: now).first?.decision?.forecastLoad)

        // Another manager takes over with nothing in memory: the same forecast at once.
        var takenOver = PoolManagerState()
        let after = try await manager().evaluate(&takenOver, now: now.addingTimeInterval(1)).first?.decision
        #expect(after?.forecastLoad == before)

        // A resize makes the pool's autoscaler anew; it too starts from the stored history.
        pool.maxWorkers = 30
        try await store.updatePool(pool)
        #expect(leading.autoscalers["seasonal"]?.policy.maxWorkers == 20)
        // (An unchanged "keep" is not logged twice; forget the last one so this evaluation's decision comes back.)
        leading.lastLogged = [:]
        let resized = try await first.evaluate(&leading, now: now.addingTimeInterval(2)).first?.decision
        #expect(resized?.forecastLoad == before)
        #expect(leading.autoscalers["seasonal"]?.policy.maxWorkers == 30)

        // Without the history a fresh autoscaler has nothing to forecast from.
        let blank = Autoscaler(policy: AutoscalerSettings(predictive: predictive).policy(for: pool))
        #expect(blank.observedIntervals == 0)
    }

    /// A history imported for a pool (its spec marked with the import) makes the pool's autoscaler anew from it:
    /// the forecast is there at the next evaluation, with no warm-up.
    @Test func anImportedHistoryForecastsAtOnce() async throws {
        let store = InMemoryJobStore()
        let predictive = PredictiveSettings(sampleIntervalSeconds: 60, seasonLength: 4, bootSeconds: 60)
        let service = PoolManagerService(
            store: store, actuator: DesiredWorkersGauge(), settings: AutoscalerSettings(predictive: predictive),
            leadership: .alone(), clock: ContinuousClock(), logger: Logger(label: "test"))
        var pool = PoolSpec(name: "fresh", kind: .cpu, maxWorkers: 20, createdAt: t0)
        try await store.createPool(pool)
        _ = try await store.submit(spec(pool: "fresh"), now: t0)
        var state = PoolManagerState()
        let now = t0.addingTimeInterval(12 * 60 + 1)
        let cold = try await service.evaluate(&state, now: now).first?.decision
        #expect(cold != nil && cold?.forecastLoad == nil, "no history, no forecast")

        let shape: [Double] = [2, 8, 2, 0]
        let samples = (0..<12).map { DemandSample(start: t0.addingTimeInterval(Double($0) * 60), peak: shape[$0 % 4]) }
        try await store.recordDemand(samples, pool: "fresh", keepFrom: t0)
        pool.demandImportedAt = now
        try await store.updatePool(pool)
        state.lastLogged = [:]
        let warm = try await service.evaluate(&state, now: now.addingTimeInterval(1)).first?.decision
        let forecast = try #require(warm?.forecastLoad)
        #expect(forecast > 0)
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

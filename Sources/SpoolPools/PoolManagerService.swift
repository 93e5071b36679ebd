import Foundation
import Logging
import Metrics
import ServiceLifecycle
import SpoolAPIModels
import SpoolActuators
import SpoolAutoscaling
import SpoolControlPlane
import SpoolCore

/// Keeps each pool created through the API at the size its autoscaler decides, and carries pools through draining
/// and destruction. Every `interval` the leader reads the pools, live workers and waiting jobs, measures each pool's
/// signals, lets the pure `Autoscaler` decide, has the actuator carry the decision out, and logs it with its reasons
/// in the store (`GET /v1/pools/{name}/decisions`). Only the leader acts, so two managers never double a scale-up.
public struct PoolManagerService<C: Clock>: Service where C.Duration == Duration {
    let store: any PoolManagerStore
    let actuator: any ScalingActuator
    let settings: AutoscalerSettings
    let leadership: Leadership
    let clock: C
    let logger: Logger
    /// How long workers that stop with this process get to hand back their jobs.
    let shutdownGrace: Duration

    public init(
        store: any PoolManagerStore, actuator: any ScalingActuator, settings: AutoscalerSettings,
        leadership: Leadership,
        shutdownGrace: Duration = .seconds(30), clock: C, logger: Logger
    ) {
        self.shutdownGrace = shutdownGrace
        self.store = store
        self.actuator = actuator
        self.settings = settings
        self.leadership = leadership
        self.clock = clock
        var logger = logger
        logger[metadataKey: "component"] = "autoscaler"
        self.logger = logger
    }

    public func run() async throws {
        var state = PoolManagerState()
        await runPeriodically(
            every: .milliseconds(Int64(settings.intervalSeconds * 1000)), clock: clock, logger: logger,
            failure: "pool evaluation failed; retrying"
        ) {
            if leadership.current != nil { _ = try await evaluate(&state, now: Date()) }
            return .wait
        }
        await actuator.ownerStopping(grace: shutdownGrace)
    }

    /// One evaluation of every pool; returns what was logged. Internal so tests drive it with their own times.
    func evaluate(_ state: inout PoolManagerState, now: Date) async throws -> [PoolEvent] {
        let pools = try await store.pools()
        for name in Set(state.autoscalers.keys).union(state.released).subtracting(pools.map(\.name)) {
            state.forget(name)
        }
        guard !pools.isEmpty else { return [] }
        let live = try await store.workers().filter {
            now.timeIntervalSince($0.heartbeatAt) <= settings.workerTimeoutSeconds
        }
        let waiting = try await store.waitingForPlacement(
            now: now, limit: 5000, pools: Set(pools.map(\.name)).union(live.map(\.pool)))
        let finished = try await store.list(JobFilter(state: .succeeded, limit: 200)).jobs
        let responseTimes = PoolDemand.responseTimes(finished, now: now)
        // The run time that prices a batch job's compute: the slowest pool's recent mean, or ten minutes.
        let routing = settings.batchRouting(
            for: pools, jobSeconds: responseTimes.values.max() ?? BatchRouting.assumedJobSeconds)
        let attributed = PoolDemand.attribute(waiting, to: pools, workers: live, routing: routing)
        var events: [PoolEvent] = []
        for pool in pools {
            let workers = live.filter { $0.pool == pool.name }
            if let event = try await evaluate(
                pool, workers: workers, waiting: attributed[pool.name] ?? [],
                responseTimeSeconds: responseTimes[pool.name], state: &state, now: now)
            {
                events.append(event)
            }
        }
        return events
    }

    func evaluate(
        _ pool: PoolSpec, workers: [WorkerRecord], waiting: [QueuedJob], responseTimeSeconds: Double? = nil,
        state: inout PoolManagerState, now: Date
    ) async throws -> PoolEvent? {
        // A pool that may run spot is sized in two parts, spot and on-demand; any other pool in one, as before.
        let requestedByPart: [CapacityType?: Int]
        do {
            requestedByPart = try await actuator.workerCounts(pool: pool.name, parts: pool.capacityParts)
        } catch {
            return try await log(
                PoolEvent(
                    pool: pool.name, time: now, kind: .autoscale, actuator: actuator.name,
                    note: "cannot read the pool's size", error: error.description), state: &state)
        }
        let requested = requestedByPart.values.reduce(0, +)
        let step = PoolStep.next(
            for: pool, workers: workers, requested: requested, released: state.released.contains(pool.name))
        let metrics = PoolMetrics(pool: pool.name)
        metrics.record(workers: workers, waiting: waiting, now: now)
        switch step {
        case .autoscale:
            state.released.remove(pool.name)
            return try await autoscale(
                pool, workers: workers, waiting: waiting, requested: requestedByPart,
                responseTimeSeconds: responseTimeSeconds, state: &state, now: now, metrics: metrics)
        case .waitForJobs(let running):
            metrics.recordDesired(workers.count)
            return try await log(
                PoolEvent(
                    pool: pool.name, time: now, kind: .waitForJobs, actuator: actuator.name,
                    note: "\(pool.phase.rawValue): waiting for \(running) running job(s) to finish"), state: &state)
        case .releaseWorkers:
            metrics.recordDesired(0)
            var event = PoolEvent(
                pool: pool.name, time: now, kind: .releaseWorkers, actuator: actuator.name,
                note: "\(pool.phase.rawValue): asked \(max(workers.count, requested)) worker(s) to drain and leave")
            do {
                for part in pool.capacityParts { try await actuator.releaseAll(pool: pool.name, capacity: part) }
                state.released.insert(pool.name)
            } catch {
                event.error = error.description
            }
            return try await log(event, state: &state)
        case .waitForWorkers(let remaining):
            metrics.recordDesired(0)
            return try await log(
                PoolEvent(
                    pool: pool.name, time: now, kind: .waitForWorkers, actuator: actuator.name,
                    note: "\(pool.phase.rawValue): waiting for \(remaining) worker(s) to leave"), state: &state)
        case .remove:
            // A drained pool retires gracefully: what waited for it runs on any pool that can. A destroyed one is
            // gone: jobs that named it fail, saying so, instead of running somewhere they did not ask for.
            let destroyed = pool.phase == .destroying
            let settled =
                destroyed
                ? try await store.failQueuedJobs(of: pool.name, now: now)
                : try await store.moveQueuedJobs(from: pool.name, now: now)
            try await store.deletePool(named: pool.name)
            state.forget(pool.name)
            metrics.recordDesired(0)
            let event = PoolEvent(
                pool: pool.name, time: now, kind: .removed, actuator: actuator.name,
                note: destroyed
                    ? "removed; \(settled.count) waiting job(s) that named it failed"
                    : "removed; \(settled.count) waiting job(s) moved to any pool that can serve them")
            logger.notice(
                "pool removed",
                metadata: ["pool": "\(pool.name)", destroyed ? "failed_jobs" : "moved_jobs": "\(settled.count)"])
            return try await log(event, state: &state)
        }
    }

    func autoscale(
        _ pool: PoolSpec, workers: [WorkerRecord], waiting: [QueuedJob], requested: [CapacityType?: Int],
        responseTimeSeconds: Double?, state: inout PoolManagerState, now: Date, metrics: PoolMetrics
    ) async throws -> PoolEvent? {
        // A worker leaves the part it registered in; in an undivided pool there is only the one.
        let address = { (worker: WorkerRecord) in
            WorkerAddress(host: worker.host, pid: worker.pid, capacity: pool.spot ? worker.capacityType : nil)
        }
        let controlled = workers.filter { actuator.controls(address($0), pool: pool.name) }
        var autoscaler = try await state.autoscaler(
            for: pool.name, policy: settings.policy(for: pool), importedAt: pool.demandImportedAt, now: now
        ) { try await store.demandHistory(pool: pool.name) }

        // A worker of a spot pool that left without being drained was interrupted, unless it said it ran on-demand:
        // the provider does not take those back.
        let current = Set(workers.map(\.id))
        let vanished = (state.seenWorkers[pool.name] ?? []).subtracting(current)
            .subtracting(autoscaler.drainingWorkers.map { WorkerID(rawValue: $0) })
            .subtracting(state.seenOnDemand[pool.name] ?? [])
        if pool.spot, !vanished.isEmpty { state.lastSpotInterruption[pool.name] = now }
        state.seenWorkers[pool.name] = current
        state.seenOnDemand[pool.name] = Set(workers.filter { $0.capacityType == .onDemand }.map(\.id))

        let signals = PoolDemand.signals(
            waiting: waiting, workers: workers, booting: max(requested.values.reduce(0, +) - controlled.count, 0),
            now: now,
            responseTimeSeconds: responseTimeSeconds, lastSpotInterruption: state.lastSpotInterruption[pool.name])
        let candidates = controlled.map {
            PoolWorker(
                id: $0.id.rawValue, runningJobs: $0.running.count,
                hourlyPrice: settings.hourlyPrice(for: pool, capacity: $0.capacityType), startedAt: $0.startedAt)
        }
        let decision = autoscaler.evaluate(signals, workers: candidates)
        let closed = autoscaler.takeClosedDemand()
        state.autoscalers[pool.name] = autoscaler
        await keepDemand(closed, pool: pool.name, now: now)
        metrics.recordDesired(decision.desiredWorkers)
        metrics.recordBounds(min: pool.minWorkers, max: pool.maxWorkers)

        var event = PoolEvent(pool: pool.name, time: now, kind: .autoscale, actuator: actuator.name, decision: decision)
        var desiredByPart = requested
        do {
            switch decision.action {
            case .none:
                break
            case .scaleUp(let count, _, let spot):
                // The cost judgement's spot choice is carried out in a pool that has a spot part: after an
                // interruption it said on-demand for the backoff, and the on-demand part grows.
                let part = pool.spot ? CapacityType(spot: spot) : nil
                try await actuator.scaleUp(pool: pool.name, by: count, capacity: part)
                desiredByPart[part, default: 0] += count
                metrics.recordScaleEvent(up: true)
            case .drain(let ids):
                let chosen = Set(ids)
                let leaving = controlled.filter { chosen.contains($0.id.rawValue) }.map(address)
                try await actuator.drain(pool: pool.name, workers: leaving)
                for worker in leaving {
                    desiredByPart[worker.capacity] = max((desiredByPart[worker.capacity] ?? 0) - 1, 0)
                }
                metrics.recordScaleEvent(up: false)
            }
        } catch {
            event.error = error.description
            logger.warning(
                "the actuator could not carry out a scaling decision",
                metadata: ["pool": "\(pool.name)", "actuator": "\(actuator.name)", "error": "\(error)"])
        }
        if pool.spot { metrics.recordDesired(byCapacity: desiredByPart) }
        if decision.action != .none {
            logger.info("\(decision)", metadata: ["pool": "\(pool.name)"])
        }
        return try await log(event, state: &state)
    }

    /// Stores the event unless it repeats the pool's previous one (the same "keep 2 workers" every interval).
    func log(_ event: PoolEvent, state: inout PoolManagerState) async throws -> PoolEvent? {
        let summary =
            "\(event.kind.rawValue)|\(event.decision.map(Self.summary) ?? event.note ?? "")|\(event.error ?? "")"
        guard state.lastLogged[event.pool] != summary || event.decision?.action != ScalingAction.none else {
            return nil
        }
        state.lastLogged[event.pool] = summary
        try await store.recordScalingDecision(
            ScalingRecord(pool: event.pool, time: event.time, json: try PoolEventCoding.encode(event)),
            keep: settings.decisionsKept)
        return event
    }

    /// Stores the load intervals the autoscaler closed, for the next leader. A failed write costs the next leader
    /// those intervals (its model then fills them as gaps), not this evaluation, so it is logged and passed over.
    func keepDemand(_ samples: [DemandSample], pool: String, now: Date) async {
        guard !samples.isEmpty else { return }
        do {
            try await store.recordDemand(
                samples, pool: pool, keepFrom: now.addingTimeInterval(-DemandSample.retention))
        } catch {
            logger.warning(
                "could not store the pool's demand history", metadata: ["pool": "\(pool)", "error": "\(error)"])
        }
    }

    static func summary(_ decision: ScalingDecision) -> String {
        "\(decision.currentWorkers)→\(decision.desiredWorkers) \(decision.rules.map(\.rawValue).joined(separator: ","))"
    }
}

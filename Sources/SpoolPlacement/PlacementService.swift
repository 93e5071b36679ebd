import Foundation
import Logging
import Metrics
import ServiceLifecycle
import SpoolCore
import SpoolDispatch
import SpoolScheduling

/// Places queued jobs on workers. Each cycle reads the store (live workers, waiting jobs, jobs holding
/// resources), builds a fleet snapshot, orders the waiting jobs by class and fair share, runs the pure scheduling
/// cycle, and commits the placements in one batch; placements the store refuses as stale are decided again next
/// cycle. A higher class that fits nowhere may preempt lower-class work. Only the leader places.
public struct PlacementService<C: Clock>: Service where C.Duration == Duration {
    let store: any JobStore
    let configuration: SchedulerConfiguration
    let leadership: Leadership
    /// Wakes a cycle early when jobs arrive in this process.
    let submitted: WorkSignal?
    /// Wakes this process's workers when something was placed.
    let placed: WorkSignal?
    let clock: C
    let logger: Logger

    public init(
        store: any JobStore, configuration: SchedulerConfiguration = SchedulerConfiguration(), leadership: Leadership,
        submitted: WorkSignal? = nil, placed: WorkSignal? = nil, clock: C, logger: Logger
    ) {
        self.store = store
        self.configuration = configuration
        self.leadership = leadership
        self.submitted = submitted
        self.placed = placed
        self.clock = clock
        var logger = logger
        logger[metadataKey: "component"] = "scheduler"
        self.logger = logger
    }

    public func run() async throws {
        var state = try PlacementState(configuration: configuration)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if let token = leadership.current {
                do {
                    let report = try await cycle(&state, token: token, now: Date())
                    if report.committed > 0 { placed?.notify() }
                } catch {
                    logger.warning("scheduling cycle failed; retrying", metadata: ["error": "\(error)"])
                }
            }
            await idle()
        }
    }

    func idle() async {
        let clock = clock
        let interval = configuration.interval
        let submitted = submitted
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(for: interval) }
            if let submitted { group.addTask { await submitted.wait() } }
            group.addTask { try? await gracefulShutdown() }
            await group.next()
            group.cancelAll()
        }
    }

    /// One cycle. Public to tests through `@testable`; the service calls it in a loop.
    func cycle(_ state: inout PlacementState, token: Int, now: Date) async throws -> CycleReport {
        let started = ContinuousClock.now
        let records = try await store.workers()
        var live = records.filter { now.timeIntervalSince($0.heartbeatAt) <= configuration.workerTimeout.seconds }
        let liveIDs = Set(live.map(\.id))
        state.learn(from: live)
        let waiting = try await store.waitingForPlacement(
            now: now, limit: configuration.waitingLimit, pools: Set(live.map(\.pool)))
        // With nothing waiting there is nothing to place; the jobs holding resources (every running job: the
        // expensive read) are looked at only for the occasional sweep of placements on dead workers.
        guard !waiting.isEmpty || now >= state.nextSweep else {
            return CycleReport(considered: 0, committed: 0, stale: 0, waiting: 0, withdrawn: 0, evicted: 0, degraded: 0)
        }
        state.nextSweep = now.addingTimeInterval(configuration.sweepInterval.seconds)
        // A pool being drained or destroyed takes no new work, whatever its workers say of themselves.
        let closedPools = Set(try await store.pools().filter { !$0.acceptsWork }.map(\.name))
        if !closedPools.isEmpty {
            for index in live.indices where closedPools.contains(live[index].pool) { live[index].draining = true }
        }
        let holdingNow = try await store.holdingResources()
        let view = SchedulingView(
            waiting: try await Self.withinConcurrencyQuotas(waiting, holding: holdingNow, store: store),
            holding: holdingNow)

        // Placements on workers that died before claiming them are taken back; their jobs wait again.
        var holding: [Job] = []
        var withdrawn = 0
        for job in view.holding {
            if job.state == .queued, let placement = job.placement, !liveIDs.contains(placement.worker) {
                if (try? await store.apply(.unplace, to: job.id, now: now)) != nil { withdrawn += 1 }
                continue
            }
            holding.append(job)
        }
        var fleet = configuration.builder.snapshot(workers: live, holding: holding, now: now)
        state.cycle.schedulerToken = token

        var usage = CapacityUsage(
            capacity: live.filter { !$0.draining }.reduce(0) { $0 + $1.slots },
            running: Dictionary(grouping: holding, by: \.spec.serviceClass).mapValues(\.count),
            waiting: Dictionary(grouping: view.waiting, by: \.serviceClass).mapValues(\.count))
        let reads = Dictionary(uniqueKeysWithValues: view.waiting.map { ($0.id, $0) })
        let ordered = state.order.orderedJobs(
            view.waiting.map {
                WaitingJob(
                    id: $0.id, tenant: $0.tenant, serviceClass: $0.serviceClass, priority: $0.priority,
                    enqueuedAt: $0.createdAt)
            }, usage: usage, now: now)

        let shares = CapacityShares(configuration: configuration.dispatch)
        var commits: [PlacementCommit] = []
        var explanations: [(JobID, PlacementExplanation)] = []
        var stillWaiting: [(read: QueuedJob, request: PlacementRequest)] = []
        for waiting in ordered {
            guard let read = reads[waiting.id] else { continue }
            let request = PlacementRequest(read)
            // Capacity reserved for a higher class that has work waiting is not handed to a lower one.
            if case .holdBack(let reason) = shares.admission(of: waiting.serviceClass, usage: usage) {
                stillWaiting.append((read, request))
                if state.dueForExplanation(read.id, now: now, every: configuration.explanationRefresh) {
                    explanations.append(
                        (read.id, .heldBack(read.id, reason: reason, now: now, profile: configuration.profile.name)))
                }
                continue
            }
            let explain = state.dueForExplanation(read.id, now: now, every: configuration.explanationRefresh)
            let decided = state.cycle.place(request, in: &fleet, now: now, explain: explain)
            if let explanation = decided.explanation {
                explanations.append((read.id, explanation))
            } else if let placement = decided.decision.placement, state.explained[read.id] != nil {
                // An earlier cycle explained why it waited; that must not outlive the placement.
                explanations.append(
                    (read.id, .placed(read.id, placement: placement, now: now, profile: configuration.profile.name)))
            }
            if let placement = decided.decision.placement {
                commits.append(PlacementCommit(read, placement: placement))
                usage.recordPlacement(of: read.serviceClass)
                // Fair-share turns and credit move only for jobs actually placed.
                state.order.charge(waiting)
            } else {
                stillWaiting.append((read, request))
            }
        }

        let outcomes = try await store.commitPlacements(commits, now: now)
        let committed = outcomes.filter { $0 == .committed }.count
        let stale = outcomes.count - committed
        var staleJobs: Set<JobID> = []
        for (commit, outcome) in zip(commits, outcomes) where outcome == .stale { staleJobs.insert(commit.job) }
        for (job, explanation) in explanations where !staleJobs.contains(job) {
            do {
                try await store.savePlacementExplanation(try Self.encode(explanation), for: job)
                state.explained[job] = now
            } catch {
                logger.debug(
                    "could not save a placement explanation", metadata: ["job": "\(job)", "error": "\(error)"])
            }
        }
        state.forget(except: Set(view.waiting.map(\.id)))

        let (evicted, beneficiaries) = try await preempt(
            stillWaiting, fleet: fleet, holding: holding, usage: usage, state: &state, now: now)
        let degraded = await degrade(
            stillWaiting.filter { !beneficiaries.contains($0.read.id) }, pools: Set(live.map(\.pool)), now: now)

        let elapsed = ContinuousClock.now - started
        Timer(label: "spool_scheduler_cycle_seconds").recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        Counter(label: "spool_placements_total").increment(by: committed)
        Counter(label: "spool_placements_stale_total").increment(by: stale)
        Gauge(label: "spool_jobs_waiting_for_placement").record(stillWaiting.count)
        let report = CycleReport(
            considered: ordered.count, committed: committed, stale: stale, waiting: stillWaiting.count,
            withdrawn: withdrawn, evicted: evicted, degraded: degraded)
        if committed > 0 || stale > 0 || withdrawn > 0 || evicted > 0 || degraded > 0 {
            logger.debug(
                "scheduling cycle",
                metadata: [
                    "placed": "\(committed)", "stale": "\(stale)", "waiting": "\(stillWaiting.count)",
                    "withdrawn": "\(withdrawn)", "evicted": "\(evicted)", "degraded": "\(degraded)",
                ])
        }
        return report
    }

    /// Waiting jobs that fit nowhere may evict strictly lower classes; the victims are requeued (no failure), and
    /// the waiting job is placed on a later cycle once their workers have stopped them.
    func preempt(
        _ waiting: [(read: QueuedJob, request: PlacementRequest)], fleet: FleetSnapshot, holding: [Job],
        usage: CapacityUsage, state: inout PlacementState, now: Date
    ) async throws -> (evictions: Int, beneficiaries: Set<JobID>) {
        guard configuration.dispatch.preemption.enabled, !waiting.isEmpty else { return (0, []) }
        let lowestRank = ServiceClass.allCases.map(configuration.dispatch.rank(of:)).max() ?? 0
        let candidates = waiting.filter { configuration.dispatch.rank(of: $0.request.serviceClass) < lowestRank }
        guard !candidates.isEmpty else { return (0, []) }
        var beneficiaries: Set<JobID> = []
        let running = holding.filter { $0.state == .running }
        let planner = PreemptionPlanner(configuration: configuration.dispatch)
        var evictedJobs: Set<JobID> = []
        var evictions = 0
        for candidate in candidates.prefix(8) {
            let occupancy = PreemptionOccupancy.devices(
                for: candidate.request, fleet: fleet, running: running.filter { !evictedJobs.contains($0.id) },
                estimator: state.cycle.estimator)
            guard !occupancy.devices.isEmpty else { continue }
            let request = PreemptionRequest(
                id: candidate.read.id, serviceClass: candidate.request.serviceClass,
                priority: candidate.request.priority, demand: occupancy.demand)
            guard case .evict(let plan) = planner.plan(for: request, devices: occupancy.devices, usage: usage, now: now)
            else { continue }
            for victim in plan.victims {
                let reason =
                    "preempted by \(candidate.request.serviceClass.rawValue) job \(candidate.read.id), which fits "
                    + "nowhere else; requeued without counting a failure"
                if (try? await store.apply(.preempt(reason: reason), to: victim, now: now)) != nil {
                    evictedJobs.insert(victim)
                    beneficiaries.insert(candidate.read.id)
                    evictions += 1
                    logger.notice(
                        "job preempted", metadata: ["job": "\(victim)", "for": "\(candidate.read.id)"])
                }
            }
        }
        if evictions > 0 { Counter(label: "spool_preemptions_total").increment(by: evictions) }
        return (evictions, beneficiaries)
    }

    /// Jobs that waited past their class's target while nothing could take them move to another pool or a cheaper
    /// preset, as the class's policy says; a pool no live worker serves is not worth moving to.
    func degrade(_ waiting: [(read: QueuedJob, request: PlacementRequest)], pools: Set<String>, now: Date) async -> Int
    {
        let policy = OverloadDegradation(configuration: configuration.dispatch)
        var degraded = 0
        for entry in waiting {
            let decision = policy.decide(
                serviceClass: entry.read.serviceClass, waited: now.timeIntervalSince(entry.read.createdAt),
                poolIsSaturated: true, currentPool: entry.read.pool, currentPreset: entry.read.preset)
            let degradation: Degradation
            switch decision.action {
            case .keepWaiting:
                continue
            case .moveToPool(let pool):
                guard pools.contains(pool) else { continue }
                degradation = Degradation(pool: pool, reason: decision.reason)
            case .switchPreset(let name):
                guard let preset = Presets.named(name) else { continue }
                degradation = Degradation(preset: name, outputs: preset.outputs, reason: decision.reason)
            }
            if (try? await store.apply(.degrade(degradation), to: entry.read.id, now: now)) != nil {
                degraded += 1
                logger.notice(
                    "job degraded under overload", metadata: ["job": "\(entry.read.id)", "why": "\(decision.reason)"])
            }
        }
        if degraded > 0 { Counter(label: "spool_degradations_total").increment(by: degraded) }
        return degraded
    }

    static func encode(_ explanation: PlacementExplanation) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(explanation), as: UTF8.self)
    }
}

/// What one cycle did.
public struct CycleReport: Sendable, Equatable {
    public var considered: Int
    public var committed: Int
    public var stale: Int
    public var waiting: Int
    public var withdrawn: Int
    public var evicted: Int
    public var degraded: Int
}

extension PlacementService {
    /// Leaves out the waiting jobs of tenants already running (or placed) as many jobs as their `max_concurrent`
    /// allows; they wait their turn rather than being refused.
    static func withinConcurrencyQuotas(_ waiting: [QueuedJob], holding: [Job], store: any JobStore) async throws
        -> [QueuedJob]
    {
        guard waiting.contains(where: { $0.tenant != .default }) else { return waiting }
        var room: [TenantID: Int] = [:]
        for tenant in try await store.tenants() {
            if let cap = tenant.limits.maxConcurrent { room[tenant.id] = cap }
        }
        guard !room.isEmpty else { return waiting }
        for job in holding where room[job.spec.tenant] != nil { room[job.spec.tenant]! -= 1 }
        return waiting.filter { job in
            guard let left = room[job.tenant] else { return true }
            room[job.tenant] = left - 1
            return left > 0
        }
    }
}

import Foundation
import Logging
import Metrics
import ServiceLifecycle
import SpoolAPIModels
import SpoolAutoscaling
import SpoolControlPlane
import SpoolCore
import SpoolDispatch
import SpoolScheduling
import SpoolTraceContext
import Tracing

/// Places queued jobs on workers. Each cycle reads a view of the store (live workers, waiting jobs, jobs holding
/// resources, tenants' caps), asks the pure `PlacementPlanner` for a plan, and commits it: placements in one batch
/// (those the store refuses as stale are decided again next cycle), then withdrawals, preemptions and degradations.
/// The simulator runs the same planner. Only the leader places.
public struct PlacementService<C: Clock>: Service where C.Duration == Duration {
    let store: any SchedulerStore
    let configuration: SchedulerConfiguration
    let leadership: Leadership
    /// Wakes a cycle early: jobs arrived or slots freed in this process, or elsewhere (`SchedulerWakeUps` on Redis).
    let submitted: WorkSignal?
    /// Wakes this process's workers when something was placed.
    let placed: WorkSignal?
    let clock: C
    let logger: Logger
    /// Prices moving inputs between clouds for the pools of the moment (the autoscaler settings' egress prices);
    /// nil, or nil for these pools, when there is nothing to weigh. With it, a job whose input is costly to move is
    /// placed only in the pool where it costs least in all (`PoolDemand.pinnedToInputCloud`).
    let inputRouting: (@Sendable ([PoolSpec]) -> BatchRouting?)?

    public init(
        store: any SchedulerStore, configuration: SchedulerConfiguration = SchedulerConfiguration(),
        leadership: Leadership,
        submitted: WorkSignal? = nil, placed: WorkSignal? = nil, clock: C, logger: Logger,
        inputRouting: (@Sendable ([PoolSpec]) -> BatchRouting?)? = nil
    ) {
        self.store = store
        self.inputRouting = inputRouting
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
        Self.exportQueueWaitSeries()
        var state = try PlacementState(configuration: configuration)
        await runPeriodically(
            every: configuration.interval, clock: clock, wakeUp: submitted, wakeGap: configuration.wakeGap ?? .zero,
            logger: logger,
            failure: "scheduling cycle failed; retrying"
        ) {
            if let token = leadership.current {
                let report = try await cycle(&state, token: token, now: Date())
                if report.committed > 0 { placed?.notify() }
            }
            return .wait
        }
    }

    /// One cycle: read the view, plan through the pure `PlacementPlanner`, commit the plan. Public to tests through
    /// `@testable`; the service calls it in a loop.
    func cycle(_ state: inout PlacementState, token: Int, now: Date) async throws -> CycleReport {
        let started = ContinuousClock.now
        let tracedFrom = DefaultTracerClock.now
        guard case (let view, var fleet)? = try await readView(&state, token: token, now: now) else {
            return CycleReport(considered: 0, committed: 0, stale: 0, waiting: 0, withdrawn: 0, evicted: 0, degraded: 0)
        }
        state.planner.cycle.schedulerToken = token
        let plan = state.planner.plan(view, fleet: &fleet)
        // Placed jobs leave the cache now: committed, they wait no more; refused as stale, they changed, and the
        // feed brings their newer version if they still wait.
        state.informer.assume(plan.placements)
        var report: CycleReport
        do {
            report = try await commit(plan, now: now, waiting: view.waiting, decidedSince: tracedFrom)
        } catch {
            // Which placements were written is unknown: read the waiting jobs afresh.
            state.informer.invalidate()
            throw error
        }
        report.plan = plan

        let elapsed = ContinuousClock.now - started
        Timer(label: "spool_scheduler_cycle_seconds").recordNanoseconds(elapsed.nanoseconds)
        Counter(label: "spool_placements_total").increment(by: report.committed)
        Counter(label: "spool_placements_stale_total").increment(by: report.stale)
        Self.recordQueueWaits(plan, waiting: view.waiting, now: now)
        Gauge(label: "spool_jobs_waiting_for_placement").record(report.waiting)
        // Recorded even at zero, so the series exists (dashboards and rates see 0, not nothing) before the first one.
        Counter(label: "spool_preemptions_total").increment(by: report.evicted)
        if report.degraded > 0 { Counter(label: "spool_degradations_total").increment(by: report.degraded) }
        if report.committed > 0 || report.stale > 0 || report.withdrawn > 0 || report.evicted > 0
            || report.degraded > 0
        {
            logger.debug(
                "scheduling cycle",
                metadata: [
                    "placed": "\(report.committed)", "stale": "\(report.stale)", "waiting": "\(report.waiting)",
                    "withdrawn": "\(report.withdrawn)", "evicted": "\(report.evicted)",
                    "degraded": "\(report.degraded)",
                ])
        }
        return report
    }

    /// Makes each class's queue-wait histogram exist, at zero, before its first placement. A rate over a series that
    /// appears with its first job at 1 sees no increase (Prometheus has no earlier sample), so the SLO rules would
    /// read 0/0 for the first job of each class after every manager start.
    static func exportQueueWaitSeries() {
        for serviceClass in ServiceClass.allCases {
            _ = Timer(label: "spool_queue_wait_seconds", dimensions: [("class", serviceClass.rawValue)])
        }
    }

    /// How long each placed job waited, by class: what the queue-wait SLO alerts burn against (realtime 5 s, standard
    /// 60 s, batch 1 hour by default; the buckets include each).
    static func recordQueueWaits(_ plan: PlacementPlan, waiting: [QueuedJob], now: Date) {
        guard !plan.placements.isEmpty else { return }
        let byID = Dictionary(waiting.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for placed in plan.placements {
            guard let job = byID[placed.job] else { continue }
            Timer(label: "spool_queue_wait_seconds", dimensions: [("class", job.serviceClass.rawValue)])
                .recordSeconds(max(0, now.timeIntervalSince(job.createdAt)))
        }
    }

    /// What the planner looks at: live workers (those of closed pools draining), waiting jobs, jobs holding
    /// resources, tenants' concurrency caps, and the fleet snapshot built from them. Nil when nothing waits and no
    /// sweep for placements on dead workers is due (the jobs holding resources are the expensive read).
    /// A store with a `PlacementFeed` gives the waiting jobs through the informer (only what changed since the last
    /// cycle is read); another (SQLite, one process) is read in full.
    func readView(_ state: inout PlacementState, token: Int, now: Date) async throws -> (PlacementView, FleetSnapshot)?
    {
        let records = try await store.workers()
        var live = records.filter { now.timeIntervalSince($0.heartbeatAt) <= configuration.workerTimeout.seconds }
        state.learn(from: live)
        let pools = Set(live.map(\.pool))
        var waiting: [QueuedJob]
        if let feed = store as? any PlacementFeed {
            if let reason = try await state.informer.refresh(from: feed, token: token, pools: pools, now: now) {
                Counter(label: "spool_placement_feed_snapshots_total", dimensions: [("reason", reason)]).increment()
                logger.debug(
                    "read the waiting jobs in full",
                    metadata: ["reason": "\(reason)", "waiting": "\(state.informer.waiting.count)"])
            }
            waiting = state.informer.best(limit: max(1, configuration.waitingLimit), pools: pools, now: now)
        } else {
            waiting = try await store.waitingForPlacement(now: now, limit: configuration.waitingLimit, pools: pools)
        }
        guard !waiting.isEmpty || now >= state.nextSweep else { return nil }
        state.nextSweep = now.addingTimeInterval(configuration.sweepInterval.seconds)
        // A pool being drained or destroyed takes no new work, whatever its workers say of themselves.
        let specs = try await store.pools()
        let closedPools = Set(specs.filter { !$0.acceptsWork }.map(\.name))
        if let routing = inputRouting?(specs), !waiting.isEmpty {
            var running: [String: Int] = [:]
            for worker in live { running[worker.pool, default: 0] += worker.running.count }
            waiting = PoolDemand.pinnedToInputCloud(waiting, pools: specs, running: running, routing: routing)
        }
        if !closedPools.isEmpty {
            for index in live.indices where closedPools.contains(live[index].pool) { live[index].draining = true }
        }
        let holding = try await store.holdingResources()
        var caps: [TenantID: Int] = [:]
        if waiting.contains(where: { $0.tenant != .default }) {
            for tenant in try await store.tenants() {
                if let cap = tenant.limits.maxConcurrent { caps[tenant.id] = cap }
            }
        }
        // Placements on workers that are gone are not reserved on the snapshot (the builder knows only live
        // workers); the planner takes them back.
        let fleet = configuration.builder.snapshot(workers: live, holding: holding, now: now)
        let view = PlacementView(
            now: now, waiting: waiting, holding: holding.map(HeldJob.init), concurrencyCaps: caps)
        return (view, fleet)
    }

    /// Writes a plan: withdrawals, the placements in one batch, explanations of jobs whose placement was not
    /// refused as stale, then preemptions and degradations. A write the store refuses (the job moved on since the
    /// view) is skipped; the next cycle decides afresh.
    func commit(
        _ plan: PlacementPlan, now: Date, waiting: [QueuedJob] = [],
        decidedSince: DefaultTracerClock.Instant = DefaultTracerClock.now
    ) async throws -> CycleReport {
        var withdrawn = 0
        for job in plan.withdrawals where (try? await store.apply(.unplace, to: job, now: now)) != nil {
            withdrawn += 1
        }
        let outcomes = try await store.commitPlacements(plan.placements, now: now)
        Self.traceDecisions(plan.placements, outcomes: outcomes, waiting: waiting, since: decidedSince)
        let committed = outcomes.filter { $0 == .committed }.count
        var staleJobs: Set<JobID> = []
        for (commit, outcome) in zip(plan.placements, outcomes) where outcome == .stale { staleJobs.insert(commit.job) }
        for planned in plan.explanations where !staleJobs.contains(planned.job) {
            do {
                try await store.savePlacementExplanation(try Self.encode(planned.explanation), for: planned.job)
            } catch {
                logger.debug(
                    "could not save a placement explanation",
                    metadata: ["job": "\(planned.job)", "error": "\(error)"])
            }
        }
        var evicted = 0
        for preemption in plan.preemptions
        where (try? await store.apply(.preempt(reason: preemption.reason), to: preemption.victim, now: now)) != nil {
            evicted += 1
            logger.notice(
                "job preempted", metadata: ["job": "\(preemption.victim)", "for": "\(preemption.beneficiary)"])
        }
        var degraded = 0
        for planned in plan.degradations
        where (try? await store.apply(.degrade(planned.degradation), to: planned.job, now: now)) != nil {
            degraded += 1
            logger.notice(
                "job degraded under overload",
                metadata: ["job": "\(planned.job)", "why": "\(planned.degradation.reason)"])
        }
        return CycleReport(
            considered: plan.considered, committed: committed, stale: outcomes.count - committed,
            waiting: plan.stillWaiting, withdrawn: withdrawn, evicted: evicted, degraded: degraded)
    }

    /// One span per placement a cycle decided, `placement.decide`, in the placed job's own trace: a child of the
    /// context it was submitted under (a new root when it kept none), from the cycle's start to its commit, with
    /// where it went and why. A cycle places many jobs of many traces, so the cycle itself is no span.
    static func traceDecisions(
        _ placements: [PlacementCommit], outcomes: [PlacementCommitOutcome], waiting: [QueuedJob],
        since: DefaultTracerClock.Instant
    ) {
        // With tracing off every span is a no-op: skip the index and the attributes on this hot path.
        guard !placements.isEmpty, !(InstrumentationSystem.tracer is NoOpTracer) else { return }
        let byID = Dictionary(waiting.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for (commit, outcome) in zip(placements, outcomes) {
            let queued = byID[commit.job]
            let span = startSpan(
                "placement.decide", context: TraceParent.context(traceParent: queued?.traceParent), at: since)
            let placement = commit.placement
            span.attributes[SpoolSpanAttribute.job] = commit.job.rawValue
            span.attributes[SpoolSpanAttribute.pool] = placement.pool
            span.attributes[SpoolSpanAttribute.worker] = placement.worker.rawValue
            span.attributes["spool.placement.path"] = placement.path.rawValue
            span.attributes["spool.placement.score"] = placement.score
            span.attributes["spool.placement.scheduler_token"] = placement.schedulerToken
            // A stale decision was refused by the store (the job moved on since the cycle read it), not an error.
            span.attributes["spool.placement.outcome"] = outcome == .committed ? "committed" : "stale"
            if let gpu = placement.gpu { span.attributes["spool.placement.gpu"] = gpu }
            if let model = placement.deviceModel { span.attributes["spool.placement.device_model"] = model }
            if let queued {
                span.attributes[SpoolSpanAttribute.tenant] = queued.tenant.rawValue
                span.attributes["spool.service_class"] = queued.serviceClass.rawValue
            }
            span.end()
        }
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
    /// The plan the cycle committed (nil when nothing waited and no sweep was due).
    public var plan: PlacementPlan? = nil
}

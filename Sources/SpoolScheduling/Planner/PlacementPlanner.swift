import Foundation
import SpoolAPIModels
import SpoolCore
import SpoolDispatch

/// The whole placement decision, pure: a view of the cluster in, a plan out. In one step it takes back placements
/// on workers that are gone, leaves out jobs of tenants at their concurrency cap, admits classes within their
/// reserved shares, orders the rest by class and fair share (`DispatchOrder`), places each through the
/// filter/score cycle (`SchedulingCycle`), plans preemptions for higher-class jobs that fit nowhere
/// (`PreemptionPlanner`), and degrades overdue jobs that allow it (`OverloadDegradation`).
///
/// The placement service and the simulator both run it; the state it keeps between steps (fair-share deficits, the
/// cycle's rotation and learned estimates, when each job was last explained) lives in the planner itself.
public struct PlacementPlanner: Sendable {
    public let settings: PlannerSettings
    public var cycle: SchedulingCycle
    public var order: DispatchOrder<SplitMix64>
    /// When each waiting job was last explained.
    public private(set) var explained: [JobID: Date] = [:]
    /// A thread for a spare core, when there is one: a step then orders its waiting jobs while the helper brings
    /// the device classes up to date. The plan is the same with or without it.
    public var helper: HelperThread?
    /// Below this many waiting jobs the helper is not woken: its wake-up would cost more than it saves.
    static let jobsWorthTheHelper = 256

    public init(cycle: SchedulingCycle, settings: PlannerSettings = PlannerSettings(), seed: UInt64 = 0x5900_1ED) {
        self.settings = settings
        self.cycle = cycle
        self.order = DispatchOrder(configuration: settings.dispatch, seed: seed)
    }

    /// One step. `fleet` is the live fleet with what `view.holding` already holds reserved; the placements made are
    /// reserved on it too, so the caller may keep it for the next step (the simulator does).
    public mutating func plan(_ view: PlacementView, fleet: inout FleetSnapshot) -> PlacementPlan {
        let now = view.now
        var plan = PlacementPlan()

        // Placements on workers that died before claiming them are taken back; their jobs wait again. (The list is
        // copied only when there is one: the simulator hands over a hundred thousand held jobs every step, and
        // looks at them once, for this and for what they occupy.)
        var holding = view.holding
        // A caller that kept the survey hands it over; the tests' debug builds check it against a count.
        assert(view.heldSurvey == nil || view.heldSurvey == Self.survey(holding, fleet: fleet), "a stale held survey")
        var survey = view.heldSurvey ?? Self.survey(holding, fleet: fleet)
        if survey.takesBack {
            holding = []
            for job in view.holding {
                if !job.isRunning, let placement = job.placement, fleet.workerIndex[placement.worker] == nil {
                    plan.withdrawals.append(job.id)
                    continue
                }
                holding.append(job)
            }
            survey = Self.survey(holding, fleet: fleet)
        }
        let waiting = Self.withinConcurrencyCaps(view.waiting, holding: holding, caps: view.concurrencyCaps)

        var usage = CapacityUsage(
            capacity: fleet.workers.reduce(0) { $0 + ($1.accepting ? $1.slots : 0) },
            running: survey.occupyingByClass, waiting: Self.countByClass(waiting, \.serviceClass))
        var freeSlots = fleet.workers.reduce(0) { $0 + ($1.accepting ? max(0, $1.slots - $1.assigned) : 0) }
        let stillWaiting: [QueuedJob]
        if freeSlots <= 0 && !waiting.contains(where: { dueForExplanation($0.id, now: now) }) {
            // A full fleet with nothing to explain places nothing: the order would decide nothing, so it is not
            // worked out (the simulator steps through many such moments). Waiting jobs keep the store's order.
            plan.considered = waiting.count
            stillWaiting = waiting
        } else {
            stillWaiting = place(
                waiting, usage: &usage, freeSlots: &freeSlots, fleet: &fleet, changedWorkers: view.changedWorkers,
                now: now, into: &plan)
        }
        plan.stillWaiting = stillWaiting.count
        forget(except: waiting)

        let beneficiaries = planPreemptions(
            stillWaiting, fleet: fleet, holding: holding, usage: usage, now: now, into: &plan)
        planDegradations(
            beneficiaries.isEmpty ? stillWaiting : stillWaiting.filter { !beneficiaries.contains($0.id) },
            pools: Set(fleet.workersByPool.keys), now: now, into: &plan)
        return plan
    }

    /// Admission, fair order and the filter/score search for each waiting job, reserving on `fleet` as it goes.
    /// Returns the jobs that still wait, in dispatch order.
    mutating func place(
        _ waiting: [QueuedJob], usage: inout CapacityUsage, freeSlots: inout Int, fleet: inout FleetSnapshot,
        changedWorkers: [Int]? = nil, now: Date, into plan: inout PlacementPlan
    ) -> [QueuedJob] {
        // Each ordered job carries its position in `waiting` as its tag: no dictionary of the jobs by ID is built
        // and searched each step.
        let jobs = waiting.enumerated().map { position, job in
            WaitingJob(
                id: job.id, tenant: job.tenant, serviceClass: job.serviceClass, priority: job.priority,
                enqueuedAt: job.createdAt, tag: position)
        }
        var ordered: [WaitingJob] = []
        func orderJobs() { ordered = order.orderedJobs(jobs, usage: usage, now: now) }
        // The classes are kept from the last step (or built by the first search that can use it) and shared by
        // the rest: only the cycle changes the fleet here. Taken out of the cycle, so that the copy brought up to
        // date (on the helper's thread, when there is one) is the only one.
        var classes = cycle.keptClasses
        cycle.keptClasses = nil
        func bringClassesUpToDate() {
            DeviceClasses.bringUpToDate(&classes, with: fleet, changedWorkers: changedWorkers)
        }
        if let helper, jobs.count >= Self.jobsWorthTheHelper, classes != nil {
            helper.run(bringClassesUpToDate, alongside: orderJobs)
        } else {
            orderJobs()
            bringClassesUpToDate()
        }
        plan.considered = ordered.count
        // A step places at most a job per free slot: room made once, not by copying a growing list of placements.
        let mostPlaced = min(ordered.count, max(freeSlots, 0))
        plan.placements.reserveCapacity(plan.placements.count + mostPlaced)
        plan.placementWorkers.reserveCapacity(plan.placementWorkers.count + mostPlaced)

        // A search that found no room for one kind of job finds none for the next of the same kind in this step
        // (the fleet only fills up within it), so later ones skip it unless their explanation is due.
        var fullKinds: Set<SearchKind> = []
        let shares = CapacityShares(configuration: settings.dispatch)
        let profile = cycle.profile.name
        var stillWaiting: [QueuedJob] = []
        stillWaiting.reserveCapacity(ordered.count)
        defer { cycle.keptClasses = classes }
        for next in ordered {
            let read = waiting[next.tag]
            let explain = dueForExplanation(read.id, now: now)
            // With the fleet full and nothing to explain, the job waits whatever admission would say (asked first,
            // admission cost more than the rest of a full step).
            if !explain && freeSlots <= 0 {
                stillWaiting.append(read)
                continue
            }
            // Capacity reserved for a higher class that has work waiting is not handed to a lower one.
            if !shares.admits(next.serviceClass, usage: usage) {
                stillWaiting.append(read)
                if explain, case .holdBack(let reason) = shares.admission(of: next.serviceClass, usage: usage) {
                    record(.heldBack(read.id, reason: reason, now: now, profile: profile), for: read.id, in: &plan)
                }
                continue
            }
            // Made only once some kind is full: most steps fill none, and making and hashing one per job cost more
            // than its check saved.
            if !explain && !fullKinds.isEmpty && fullKinds.contains(SearchKind(read)) {
                stillWaiting.append(read)
                continue
            }
            let request = PlacementRequest(read)
            let decided = cycle.place(request, in: &fleet, classes: &classes, now: now, explain: explain)
            if let explanation = decided.explanation {
                record(explanation, for: read.id, in: &plan)
            } else if let placement = decided.decision.placement, explained[read.id] != nil {
                // An earlier step explained why it waited; that must not outlive the placement.
                record(.placed(read.id, placement: placement, now: now, profile: profile), for: read.id, in: &plan)
            }
            if let placement = decided.decision.placement {
                plan.placements.append(PlacementCommit(read, placement: placement))
                plan.placementWorkers.append(decided.workerIndex!)
                usage.recordPlacement(of: read.serviceClass)
                freeSlots -= placement.demand.slots
                // Fair-share turns and credit move only for jobs actually placed.
                order.charge(next)
            } else {
                fullKinds.insert(SearchKind(read))
                stillWaiting.append(read)
            }
        }
        return stillWaiting
    }

    /// Waiting jobs that fit nowhere may evict strictly lower classes; the victims are requeued (no failure), and
    /// the waiting job is placed on a later step once their workers have stopped them.
    func planPreemptions(
        _ waiting: [QueuedJob], fleet: FleetSnapshot, holding: [HeldJob],
        usage: CapacityUsage, now: Date, into plan: inout PlacementPlan
    ) -> Set<JobID> {
        let dispatch = settings.dispatch
        guard dispatch.preemption.enabled, !waiting.isEmpty else { return [] }
        let lowestRank = ServiceClass.allCases.map(dispatch.rank(of:)).max() ?? 0
        // By index: most of a long wait is of the lowest class, and each job copied out to be filtered retained all
        // it holds.
        let limit = settings.preemptionCandidates
        var candidates: [(read: QueuedJob, request: PlacementRequest)] = []
        for index in waiting.indices where limit > 0 && dispatch.rank(of: waiting[index].serviceClass) < lowestRank {
            candidates.append((waiting[index], PlacementRequest(waiting[index])))
            if candidates.count == limit { break }
        }
        guard !candidates.isEmpty else { return [] }
        var occupancy = PreemptionOccupancy(holding: holding, fleet: fleet)
        guard !occupancy.isEmpty else { return [] }
        let planner = PreemptionPlanner(configuration: dispatch)
        var evicted: Set<JobID> = []
        var beneficiaries: Set<JobID> = []
        // Evictions this step only remove victims, so a request that found none finds none later in the step
        // either: its twins (same class, priority, pool, hardware and shape, as after a burst of one preset) skip
        // the walk over the fleet.
        var fruitless: Set<PreemptionTwin> = []
        for candidate in candidates {
            let twin = PreemptionTwin(candidate.read)
            guard !fruitless.contains(twin) else { continue }
            let rank = dispatch.rank(of: candidate.request.serviceClass)
            guard
                let occupied = occupancy.devices(
                    for: candidate.request, lowerClasses: ServiceClass.allCases.filter { dispatch.rank(of: $0) > rank },
                    fleet: fleet, evicted: evicted, estimator: cycle.estimator)
            else {
                fruitless.insert(twin)
                continue
            }
            let request = PreemptionRequest(
                id: candidate.read.id, serviceClass: candidate.request.serviceClass,
                priority: candidate.request.priority, demand: occupied.demand)
            guard
                case .evict(let victims) = planner.plan(
                    for: request, devices: occupied.devices, usage: usage, now: now)
            else {
                fruitless.insert(twin)
                continue
            }
            for victim in victims.victims where !evicted.contains(victim) {
                let reason =
                    "preempted by \(candidate.request.serviceClass.rawValue) job \(candidate.read.id), which fits "
                    + "nowhere else; requeued without counting a failure"
                plan.preemptions.append(
                    PlannedPreemption(victim: victim, beneficiary: candidate.read.id, reason: reason))
                evicted.insert(victim)
                beneficiaries.insert(candidate.read.id)
            }
        }
        return beneficiaries
    }

    /// Jobs that waited past their class's target while nothing could take them are made cheaper to place, as the
    /// class's policy says and only if they allow it: another pool (one a live worker serves) or faster encoding.
    /// Their outputs never change.
    func planDegradations(_ waiting: [QueuedJob], pools: Set<String>, now: Date, into plan: inout PlacementPlan) {
        let policy = OverloadDegradation(configuration: settings.dispatch)
        for job in waiting where job.degradation == .allow {
            // Most waiting jobs are within their target or already degraded: rule them out before `decide` words
            // a reason no one will read (the simulator asks this of a thousand jobs a step).
            let classPolicy = settings.dispatch.policy(for: job.serviceClass)
            guard now.timeIntervalSince(job.createdAt) > classPolicy.targetWait else { continue }
            switch classPolicy.degradation {
            case .wait: continue
            case .fasterEncoding where job.encoderSpeed == .faster: continue
            case .moveToPool(let pool) where pool == job.pool || !pools.contains(pool): continue
            default: break
            }
            let decision = policy.decide(
                serviceClass: job.serviceClass, waited: now.timeIntervalSince(job.createdAt), poolIsSaturated: true,
                consent: job.degradation, currentPool: job.pool, currentSpeed: job.encoderSpeed)
            let degradation: Degradation
            switch decision.action {
            case .keepWaiting:
                continue
            case .moveToPool(let pool):
                guard pools.contains(pool) else { continue }
                degradation = Degradation(pool: pool, reason: decision.reason)
            case .encodeFaster:
                degradation = Degradation(encoderSpeed: .faster, reason: decision.reason)
            }
            plan.degradations.append(PlannedDegradation(job: job.id, degradation: degradation))
        }
    }

    // MARK: - Explanations

    func dueForExplanation(_ job: JobID, now: Date) -> Bool {
        guard let refresh = settings.explanationRefresh else { return false }
        guard let last = explained[job] else { return true }
        return now.timeIntervalSince(last) >= refresh.seconds
    }

    mutating func record(_ explanation: PlacementExplanation, for job: JobID, in plan: inout PlacementPlan) {
        plan.explanations.append(PlannedExplanation(job: job, explanation: explanation))
        explained[job] = explanation.decidedAt
    }

    /// Drops jobs that no longer wait, so the map does not grow with every job ever seen.
    mutating func forget(except waiting: [QueuedJob]) {
        guard explained.count > waiting.count * 2 + 1024 else { return }
        let kept = Set(waiting.map(\.id))
        explained = explained.filter { kept.contains($0.key) }
    }

    /// One pass over the held jobs: whether a placement must be taken back (not yet claimed, on a worker no longer
    /// in `fleet`), and how many of them occupy capacity, by class. Jobs past their transcode hold no capacity (the
    /// snapshot frees their slots too); they still count against their tenant's concurrency cap, which is about
    /// jobs, not capacity.
    static func survey(_ holding: [HeldJob], fleet: FleetSnapshot) -> HeldSurvey {
        var takesBack = false
        var counts = PerServiceClass(0)
        // Through a pointer: each job copied out of the array would retain its IDs and placement.
        holding.withUnsafeBufferPointer { jobs in
            for index in jobs.indices {
                let job = jobs.baseAddress! + index
                if !job.pointee.isRunning, let worker = job.pointee.placement?.worker, fleet.workerIndex[worker] == nil
                {
                    takesBack = true
                }
                if job.pointee.isPastTranscode { continue }
                counts[job.pointee.serviceClass] += 1
            }
        }
        return HeldSurvey(takesBack: takesBack, occupyingByClass: byClass(counts))
    }

    /// How many of `jobs` each class has (classes without any left out), counted per class first: a dictionary
    /// update per job cost more than the rest of the count.
    static func countByClass<Job>(_ jobs: [Job], _ serviceClass: (Job) -> ServiceClass) -> [ServiceClass: Int] {
        var counts = PerServiceClass(0)
        for job in jobs { counts[serviceClass(job)] += 1 }
        return byClass(counts)
    }

    /// Counts per class as a dictionary of the classes that have any (the shape `CapacityUsage` takes).
    static func byClass(_ counts: PerServiceClass<Int>) -> [ServiceClass: Int] {
        var byClass: [ServiceClass: Int] = [:]
        for serviceClass in ServiceClass.allCases where counts[serviceClass] > 0 {
            byClass[serviceClass] = counts[serviceClass]
        }
        return byClass
    }

    // MARK: - Quotas

    /// Leaves out the waiting jobs of tenants already running (or placed) as many jobs as their `max_concurrent`
    /// allows; they wait their turn rather than being refused.
    static func withinConcurrencyCaps(_ waiting: [QueuedJob], holding: [HeldJob], caps: [TenantID: Int])
        -> [QueuedJob]
    {
        guard !caps.isEmpty else { return waiting }
        var room = caps
        for job in holding where room[job.tenant] != nil { room[job.tenant]! -= 1 }
        return waiting.filter { job in
            guard let left = room[job.tenant] else { return true }
            room[job.tenant] = left - 1
            return left > 0
        }
    }
}

/// What makes two placement searches alike: a job of the same pool, hardware and shape needs the same room.
struct SearchKind: Hashable {
    var pool: String?
    var acceleration: Acceleration
    var estimateKey: String
    var shape: WorkloadShape

    init(_ job: QueuedJob) {
        pool = job.pool
        acceleration = job.acceleration
        estimateKey = job.estimateKey
        shape = job.shape
    }
}

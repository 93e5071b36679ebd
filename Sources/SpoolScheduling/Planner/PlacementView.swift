import Foundation
import SpoolCore

/// Everything one planning step looks at, read before it and never changed by it. The placement service reads it
/// from the store; the simulator keeps it in memory. The fleet snapshot travels beside it (`inout`), since planning
/// reserves on it.
public struct PlacementView: Sendable, Equatable {
    public var now: Date
    /// Queued jobs without a placement, best first (priority, then age), as the store returns them.
    public var waiting: [QueuedJob]
    /// Jobs that hold resources: running, or queued with a placement not yet claimed.
    public var holding: [HeldJob]
    /// `max_concurrent` of each tenant that has one.
    public var concurrencyCaps: [TenantID: Int]
    /// For a caller that keeps one `FleetSnapshot` across steps (the simulator): the indexes of the workers whose
    /// reservations or state it changed since the last step, so the planner re-files only their devices among the
    /// classes it kept, instead of comparing every device of the fleet. nil (the default, and what a snapshot read
    /// afresh must pass) means anything may have changed. A worker changed and not listed would be searched as it
    /// was: the list must be complete.
    public var changedWorkers: [Int]?
    /// For a caller that keeps its held jobs in memory (the simulator): their survey, kept as they came and went, so
    /// that a step does not read every held job to count them (a hundred thousand, every step). nil (the default)
    /// means the planner counts. It must be exactly what the planner would count.
    public var heldSurvey: HeldSurvey?

    public init(
        now: Date, waiting: [QueuedJob], holding: [HeldJob], concurrencyCaps: [TenantID: Int] = [:],
        changedWorkers: [Int]? = nil, heldSurvey: HeldSurvey? = nil
    ) {
        self.now = now
        self.waiting = waiting
        self.holding = holding
        self.concurrencyCaps = concurrencyCaps
        self.changedWorkers = changedWorkers
        self.heldSurvey = heldSurvey
    }
}

/// What planning needs of a job that holds resources: who it is, where it holds them, and whether it runs there
/// yet (only running work can be preempted; an unclaimed placement on a dead worker is taken back).
public struct HeldJob: Sendable, Equatable {
    // Stored in this order so that what the planner's passes over every held job read (its class, whether it runs,
    // where) shares the record's first cache line: the simulator holds a hundred thousand of them.
    public var serviceClass: ServiceClass
    public var isRunning: Bool
    /// Running but past its transcode (validating, committing): evicting it would free nothing and lose its work.
    public var isPastTranscode: Bool = false
    /// Where the caller last saw the placement's worker in `FleetSnapshot.workers`, if it knows: checked against
    /// the worker's ID before use, so a stale hint only costs the lookup it would have saved. The simulator sets it
    /// for its hundred thousand running jobs, which preemption would otherwise find by hashing each worker's ID.
    public var workerIndexHint: Int?
    public var placement: JobPlacement?
    public var id: JobID
    public var tenant: TenantID
    public var priority: Int
    public var startedAt: Date?
    public var evictions: Int
    public var lastEvictedAt: Date?

    public init(
        id: JobID, tenant: TenantID, serviceClass: ServiceClass, priority: Int, placement: JobPlacement?,
        isRunning: Bool, startedAt: Date? = nil, evictions: Int = 0, lastEvictedAt: Date? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.serviceClass = serviceClass
        self.priority = priority
        self.placement = placement
        self.isRunning = isRunning
        self.startedAt = startedAt
        self.evictions = evictions
        self.lastEvictedAt = lastEvictedAt
    }

    public init(_ job: Job) {
        self.init(
            id: job.id, tenant: job.spec.tenant, serviceClass: job.spec.serviceClass, priority: job.spec.priority,
            placement: job.placement, isRunning: job.state == .running, startedAt: job.startedAt,
            evictions: job.evictions, lastEvictedAt: job.lastEvictedAt)
        isPastTranscode = job.isPastTranscode
    }
}

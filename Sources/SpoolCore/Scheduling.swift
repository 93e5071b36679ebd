/// A job with the store's version of it, so a write decided on this read can be refused if the job moved on.
public struct VersionedJob: Sendable, Equatable {
    public var job: Job
    public var version: Int

    public init(job: Job, version: Int) {
        self.job = job
        self.version = version
    }
}

/// What a scheduling cycle reads: queued jobs waiting for a placement (ready to run, best first), and the jobs that
/// hold resources (running, or placed and not yet claimed).
public struct SchedulingView: Sendable, Equatable {
    public var waiting: [VersionedJob]
    public var holding: [Job]

    public init(waiting: [VersionedJob], holding: [Job]) {
        self.waiting = waiting
        self.holding = holding
    }
}

/// One placement a cycle decided, to be committed only if the job is still the version the cycle read.
public struct PlacementCommit: Sendable, Equatable {
    public var job: JobID
    public var version: Int
    public var placement: JobPlacement
    /// The job's own pool pin and priority, which say which queue it leaves and where it stands on its worker's.
    public var pinnedPool: String?
    public var priority: Int

    public init(job: JobID, version: Int, placement: JobPlacement, pinnedPool: String?, priority: Int) {
        self.job = job
        self.version = version
        self.placement = placement
        self.pinnedPool = pinnedPool
        self.priority = priority
    }

    public init(_ read: VersionedJob, placement: JobPlacement) {
        self.init(
            job: read.job.id, version: read.version, placement: placement, pinnedPool: read.job.spec.pool,
            priority: read.job.spec.priority)
    }
}

public enum PlacementCommitOutcome: Sendable, Equatable {
    case committed
    /// The job changed since the cycle read it (claimed, cancelled, placed by another cycle): the decision was
    /// made on a stale snapshot and is dropped; the next cycle decides afresh.
    case stale
}

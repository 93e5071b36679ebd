import Foundation

/// A queued job as placement needs it, with the store's version of it so a placement decided on this read can be
/// refused if the job moved on. Stores may keep it beside the job, so a cycle over a thousand waiting jobs does not
/// decode a thousand job bodies.
public struct QueuedJob: Sendable, Equatable {
    public var id: JobID
    public var version: Int
    public var tenant: TenantID
    public var serviceClass: ServiceClass
    public var priority: Int
    /// The pool the job is pinned to.
    public var pool: String?
    public var acceleration: Acceleration
    public var preset: String?
    public var shape: WorkloadShape
    public var input: String
    public var createdAt: Date
    /// Whether overload may change how the job is made, and what it already changed.
    public var degradation: DegradationConsent
    public var encoderSpeed: EncoderSpeed
    /// The job's stored W3C `traceparent` (`JobSpec.traceParent`), so its placement is traced in the job's trace.
    public var traceParent: String?

    /// The key GPU memory estimates are learned under (`JobSpec.estimateKey`).
    public var estimateKey: String { WorkloadShape.estimateKey(preset: preset, shape: shape) }

    public init(
        id: JobID, version: Int, tenant: TenantID, serviceClass: ServiceClass, priority: Int, pool: String?,
        acceleration: Acceleration, preset: String?, shape: WorkloadShape, input: String, createdAt: Date,
        degradation: DegradationConsent? = nil, encoderSpeed: EncoderSpeed = .standard, traceParent: String? = nil
    ) {
        self.id = id
        self.version = version
        self.tenant = tenant
        self.serviceClass = serviceClass
        self.priority = priority
        self.pool = pool
        self.acceleration = acceleration
        self.preset = preset
        self.shape = shape
        self.input = input
        self.createdAt = createdAt
        self.degradation = degradation ?? .default(for: serviceClass)
        self.encoderSpeed = encoderSpeed
        self.traceParent = traceParent
    }

    public init(_ job: Job, version: Int) {
        self.init(
            id: job.id, version: version, tenant: job.spec.tenant, serviceClass: job.spec.serviceClass,
            priority: job.spec.priority, pool: job.spec.pool, acceleration: job.spec.acceleration,
            preset: job.spec.preset, shape: WorkloadShape(spec: job.spec), input: job.spec.input.description,
            createdAt: job.createdAt, degradation: job.spec.degradation, encoderSpeed: job.encoderSpeed,
            traceParent: job.spec.traceParent)
    }
}

/// What a scheduling cycle reads: queued jobs waiting for a placement (ready to run, best first), and the jobs that
/// hold resources (running, or placed and not yet claimed).
public struct SchedulingView: Sendable, Equatable {
    public var waiting: [QueuedJob]
    public var holding: [Job]

    public init(waiting: [QueuedJob], holding: [Job]) {
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

    public init(_ read: QueuedJob, placement: JobPlacement) {
        self.init(
            job: read.id, version: read.version, placement: placement, pinnedPool: read.pool, priority: read.priority)
    }
}

public enum PlacementCommitOutcome: Sendable, Equatable {
    case committed
    /// The job changed since the cycle read it (claimed, cancelled, placed by another cycle): the decision was
    /// made on a stale snapshot and is dropped; the next cycle decides afresh.
    case stale
}

import Foundation

/// A job as stored: its spec plus where it is in its lifecycle. Changed only through `JobLifecycle`.
public struct Job: Codable, Sendable, Equatable, Identifiable {
    public var id: JobID
    public var spec: JobSpec
    public var state: JobState
    /// Deliveries so far. Each claim increments it, so it doubles as the fencing token of the current lease.
    public var attempt: Int
    /// Failed attempts, counted against `RetryPolicy.maxAttempts`. A graceful hand-back does not count.
    public var failures: Int
    public var progress: TranscodeProgress?
    public var pool: String?
    public var worker: WorkerID?
    public var leaseExpiresAt: Date?
    /// A queued job is not claimed before this time (retry backoff).
    public var notBefore: Date
    public var createdAt: Date
    public var updatedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var error: JobError?
    public var outputs: [OutputResult]
    /// Where the scheduler put it; kept while it runs, so its reservation stays accounted for.
    public var placement: JobPlacement?
    /// Times a higher class took its place; evicted attempts do not count as failures.
    public var evictions: Int
    public var lastEvictedAt: Date?
    /// Why overload changed how the job is made (another pool, a faster encoder setting), oldest first.
    public var degradations: [String]
    /// The encoder effort the worker gives its outputs; `faster` only after a degradation the job allowed.
    public var encoderSpeed: EncoderSpeed
    /// The earlier job whose outputs this one reused instead of transcoding (same input bytes, same outputs).
    public var deduplicatedFrom: JobID?
    /// When the finished job, its outputs and its upload are deleted (`spec.retention` from when it finished); nil
    /// while it is not finished.
    public var expiresAt: Date?
    /// The content-index entry (`results/KEY`) that names this job, so expiry removes it with the outputs.
    public var resultKey: String?
    /// How the job was split into segment tasks, or why it was encoded whole; nil when segmenting never came up.
    public var segmentation: Segmentation?
    /// What its attempts used and cost, summed over every attempt whose worker reported it; nil before the first.
    public var usage: JobUsage?

    public init(id: JobID, spec: JobSpec, now: Date) {
        self.id = id
        self.spec = spec
        self.state = .queued
        self.attempt = 0
        self.failures = 0
        self.progress = nil
        self.pool = nil
        self.worker = nil
        self.leaseExpiresAt = nil
        self.notBefore = now
        self.createdAt = now
        self.updatedAt = now
        self.startedAt = nil
        self.finishedAt = nil
        self.error = nil
        self.outputs = []
        self.placement = nil
        self.evictions = 0
        self.lastEvictedAt = nil
        self.degradations = []
        self.encoderSpeed = .standard
        self.deduplicatedFrom = nil
        self.expiresAt = nil
        self.resultKey = nil
        self.segmentation = nil
        self.usage = nil
    }

    enum CodingKeys: String, CodingKey {
        case id, spec, state, attempt, failures, progress, pool, worker, error, outputs, placement, evictions
        case degradations
        case encoderSpeed = "encoder_speed"
        case leaseExpiresAt = "lease_expires_at"
        case notBefore = "not_before"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case lastEvictedAt = "last_evicted_at"
        case deduplicatedFrom = "deduplicated_from"
        case expiresAt = "expires_at"
        case resultKey = "result_key"
        case segmentation, usage
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(JobID.self, forKey: .id)
        spec = try c.decode(JobSpec.self, forKey: .spec)
        state = try c.decode(JobState.self, forKey: .state)
        attempt = try c.decode(Int.self, forKey: .attempt)
        failures = try c.decode(Int.self, forKey: .failures)
        progress = try c.decodeIfPresent(TranscodeProgress.self, forKey: .progress)
        pool = try c.decodeIfPresent(String.self, forKey: .pool)
        worker = try c.decodeIfPresent(WorkerID.self, forKey: .worker)
        leaseExpiresAt = try c.decodeIfPresent(Date.self, forKey: .leaseExpiresAt)
        notBefore = try c.decode(Date.self, forKey: .notBefore)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        updatedAt = try c.decode(Date.self, forKey: .updatedAt)
        startedAt = try c.decodeIfPresent(Date.self, forKey: .startedAt)
        finishedAt = try c.decodeIfPresent(Date.self, forKey: .finishedAt)
        error = try c.decodeIfPresent(JobError.self, forKey: .error)
        outputs = try c.decodeIfPresent([OutputResult].self, forKey: .outputs) ?? []
        // Jobs stored before placement existed.
        placement = try c.decodeIfPresent(JobPlacement.self, forKey: .placement)
        evictions = try c.decodeIfPresent(Int.self, forKey: .evictions) ?? 0
        lastEvictedAt = try c.decodeIfPresent(Date.self, forKey: .lastEvictedAt)
        degradations = try c.decodeIfPresent([String].self, forKey: .degradations) ?? []
        encoderSpeed = try c.decodeIfPresent(EncoderSpeed.self, forKey: .encoderSpeed) ?? .standard
        deduplicatedFrom = try c.decodeIfPresent(JobID.self, forKey: .deduplicatedFrom)
        expiresAt = try c.decodeIfPresent(Date.self, forKey: .expiresAt)
        resultKey = try c.decodeIfPresent(String.self, forKey: .resultKey)
        segmentation = try c.decodeIfPresent(Segmentation.self, forKey: .segmentation)
        usage = try c.decodeIfPresent(JobUsage.self, forKey: .usage)
    }

    /// Whether the job failed because it ran out of attempts on failures that may pass (a crash, a kill, a lost
    /// lease): a poison job, kept in the dead-letter list until an operator retries it.
    public var isDeadLettered: Bool { state == .failed && (error?.isRetryable ?? false) }

    /// The lease the current attempt runs under, if the job is running.
    public var currentLease: Lease? {
        guard state == .running, let worker else { return nil }
        return Lease(job: id, worker: worker, attempt: attempt)
    }
}

/// Proof that a worker holds a job's current attempt. Every write a worker makes must carry it; a write with a
/// stale lease (an earlier attempt, another worker) is refused.
public struct Lease: Codable, Sendable, Equatable, Hashable {
    public var job: JobID
    public var worker: WorkerID
    /// The fencing token: the job's delivery count when this lease was granted.
    public var attempt: Int

    public init(job: JobID, worker: WorkerID, attempt: Int) {
        self.job = job
        self.worker = worker
        self.attempt = attempt
    }
}

import Foundation

/// One page of a job listing, newest first.
public struct JobPage: Codable, Sendable, Equatable {
    public var jobs: [Job]
    /// Pass back to get the next page; nil on the last page.
    public var nextCursor: String?

    public init(jobs: [Job], nextCursor: String?) {
        self.jobs = jobs
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case jobs
        case nextCursor = "next_cursor"
    }
}

public struct JobFilter: Sendable, Equatable {
    public var tenant: TenantID?
    public var state: JobState?
    public var limit: Int
    public var cursor: String?

    public init(tenant: TenantID? = nil, state: JobState? = nil, limit: Int = 50, cursor: String? = nil) {
        self.tenant = tenant
        self.state = state
        self.limit = limit
        self.cursor = cursor
    }
}

/// What a worker learns when it heartbeats.
public enum HeartbeatReply: Sendable, Equatable {
    /// Keep going; the lease was extended.
    case proceed
    /// The job was cancelled: stop ffmpeg and discard the attempt.
    case cancelled
    /// The lease is no longer this worker's (expired and redelivered): stop and discard without committing.
    case leaseLost
}

public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case jobNotFound(JobID)
    case lifecycle(LifecycleError)
    /// The store cannot be reached or is overloaded; the caller should retry later.
    case unavailable(String)
    case corrupt(String)
    /// A list cursor this store did not issue.
    case invalidCursor(String)
    /// The submission would take the tenant past its queued-jobs quota; nothing was created.
    case quotaExceeded(QuotaViolation)

    public var description: String {
        switch self {
        case .jobNotFound(let id): "no job \(id)"
        case .lifecycle(let error): error.description
        case .unavailable(let reason): "store unavailable: \(reason)"
        case .corrupt(let reason): "store holds unreadable data: \(reason)"
        case .invalidCursor(let cursor): "cursor '\(cursor)' was not issued by this server; start without one"
        case .quotaExceeded(let violation):
            "\(violation); wait for queued jobs to start or raise the tenant's \(violation.quota) quota"
        }
    }
}

/// Durable job state. The embedded default is SQLite; a Redis store follows. Every implementation applies
/// `JobLifecycle` transitions atomically (read, decide, write as one unit), so two workers can never both win.
public protocol JobStore: PoolStore, TenantStore, SessionStore, WebhookOutbox {
    /// Creates a job, or returns the existing one for the same tenant and idempotency key (`created == false`).
    /// With `maxQueued`, a new job is created only while the tenant has fewer than `maxQueued` jobs queued, counted
    /// in the same atomic write as the insert, so concurrent submissions cannot pass the quota together; otherwise it
    /// throws `StoreError.quotaExceeded`. A replay of an existing key is never refused by the quota.
    func submit(_ spec: JobSpec, maxQueued: Int?, now: Date) async throws -> (job: Job, created: Bool)
    func job(_ id: JobID) async throws -> Job?
    func list(_ filter: JobFilter) async throws -> JobPage
    /// Counts jobs per state (for metrics and readiness).
    func countByState() async throws -> [JobState: Int]

    /// Atomically takes the highest-priority ready job this pool may run and starts a new attempt on it.
    func claimNext(
        worker: WorkerID, pool: String, acceptsUnpinned: Bool, leaseDuration: Duration, now: Date
    ) async throws -> Job?
    /// Applies an event to one job and returns the transition. Throws `StoreError.lifecycle` if refused.
    @discardableResult
    func apply(_ event: JobEvent, to id: JobID, now: Date) async throws -> Transition
    /// Extends a lease and records progress; tells the worker whether to go on.
    func heartbeat(_ lease: Lease, progress: TranscodeProgress?, leaseDuration: Duration, now: Date) async throws
        -> HeartbeatReply
    /// Requeues (or fails, when out of attempts) every running job whose lease ended before `now` or whose
    /// worker is in `deadWorkers`. Returns the transitions made.
    func recoverLeases(now: Date, deadWorkers: Set<WorkerID>) async throws -> [Transition]

    // MARK: Placement

    /// Queued jobs without a placement that are ready to run and unpinned or pinned to one of `pools`: at most
    /// `limit`, highest priority first, then oldest.
    func waitingForPlacement(now: Date, limit: Int, pools: Set<String>) async throws -> [QueuedJob]
    /// Every job that holds resources: running, or queued with a placement.
    func holdingResources() async throws -> [Job]
    /// Records each placement if its job is still at the version the cycle read; otherwise reports it stale. One
    /// call per cycle, so a store can write the batch in few round trips.
    func commitPlacements(_ commits: [PlacementCommit], now: Date) async throws -> [PlacementCommitOutcome]
    /// Takes the best job placed on this worker and starts a new attempt on it.
    func claimPlaced(worker: WorkerID, pool: String, leaseDuration: Duration, now: Date) async throws -> Job?
    /// Keeps the latest placement explanation of a job (JSON), for `GET /v1/jobs/{id}/placement`.
    func savePlacementExplanation(_ json: String, for job: JobID) async throws
    func placementExplanation(for job: JobID) async throws -> String?

    func upsertWorker(_ worker: WorkerRecord) async throws
    func removeWorker(_ id: WorkerID) async throws
    func workers() async throws -> [WorkerRecord]

    /// Whether the store answers (for `/ready`).
    func ping() async throws
}

extension JobStore {
    /// Submits without a queued-jobs quota.
    public func submit(_ spec: JobSpec, now: Date) async throws -> (job: Job, created: Bool) {
        try await submit(spec, maxQueued: nil, now: now)
    }

    /// What one scheduling cycle reads.
    public func schedulingView(now: Date, waitingLimit: Int, pools: Set<String>) async throws -> SchedulingView {
        SchedulingView(
            waiting: try await waitingForPlacement(now: now, limit: waitingLimit, pools: pools),
            holding: try await holdingResources())
    }
}

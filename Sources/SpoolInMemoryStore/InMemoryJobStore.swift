import Foundation
import SpoolCore

/// A job store in this process's memory, with the SQLite store's semantics and no file: for tests, demos and a
/// single `spool` process that may lose its queue when it stops.
///
/// Every change is one actor-isolated method that reads the job, asks `JobLifecycle` for the next state and writes
/// it back without an `await` in between, so, as with SQLite's write transactions, two claimers can never take the
/// same attempt and a late worker can never overwrite a newer one. A method that would change several jobs decides
/// every change before making any, so a refusal leaves the store as it was (SQLite rolls back instead).
///
/// Beside each job the store keeps what SQLite keeps in columns and indexes: a sequence number that orders listings
/// and cursors, a version that counts writes (placements commit only on the version read), the idempotency keys in
/// their window, and the ids of queued and running jobs, so claims and recovery look only at jobs that can qualify.
public actor InMemoryJobStore: JobStore {
    let lifecycle: JobLifecycle
    /// How long an idempotency key names its job; past it the key is free for a new job.
    let idempotencyWindow: TimeInterval
    /// The time for what the protocol gives no `now` for: shared-cache lifetimes, and a pending webhook recorded
    /// without its next attempt time (SQLite takes `Date()` there). Injected so tests need not wait.
    let clock: @Sendable () -> Date

    // MARK: Jobs and what indexes them

    /// Every job submitted and not yet expired, with its sequence number and version.
    var jobs: [JobID: StoredJob] = [:]
    /// Job ids in submission order: the job with sequence number `n` is at index `n - 1`. Append-only, so a cursor
    /// handed out earlier never skips or repeats a job.
    var submissionOrder: [JobID] = []
    /// The job each (tenant, key) names while the key is within its window.
    var idempotencyKeys: [IdempotencyKey: JobID] = [:]
    /// Ids of queued jobs: what claims and placement reads scan.
    var queuedJobs: Set<JobID> = []
    /// Ids of running jobs: what lease recovery and placement reads scan.
    var runningJobs: Set<JobID> = []
    /// Ids of succeeded, failed and cancelled jobs: what expiry scans.
    var finishedJobs: Set<JobID> = []
    /// Jobs per state, overall and per tenant, kept in step with every write.
    var stateCounts: [JobState: Int] = InMemoryJobStore.zeroCounts
    var tenantStateCounts: [TenantID: [JobState: Int]] = [:]

    var placementExplanations: [JobID: String] = [:]
    /// The placement feed (`PlacementFeed`): the latest changes of jobs starting or stopping to wait, oldest first.
    var placementFeedLog: [PlacementChange] = []
    /// Changes trimmed from the front of the log so far: the log's first entry is change number `placementFeedTrimmed`.
    var placementFeedTrimmed = 0
    /// How many changes the log keeps at least; a reader further behind is told to take a snapshot.
    let placementFeedCapacity: Int
    var workerRecords: [WorkerID: WorkerRecord] = [:]

    // MARK: Pools, tenants, sessions, webhooks, cache (see the extensions)

    var poolSpecs: [String: PoolSpec] = [:]
    /// Every kept autoscaler decision, oldest first.
    var scalingRecords: [ScalingRecord] = []
    var demandHistories: [String: [DemandSample]] = [:]
    var tenantsByID: [TenantID: Tenant] = [:]
    var tenantIDsByKeyHash: [String: TenantID] = [:]
    var usageByDay: [UsageKey: TenantUsage] = [:]
    var sessions: [String: WebSession] = [:]
    var outbox: [JobID: OutboxEntry] = [:]
    /// Ids of deliveries that are due or leased (not settled): what claiming due webhooks scans.
    var unsettledWebhooks: Set<JobID> = []
    /// Counts outbox writes; orders deliveries due at the same time by their latest write, as SQLite's
    /// `INSERT OR REPLACE` (a new rowid) does.
    var outboxWrites = 0
    var cacheEntries: [String: CacheEntry] = [:]
    /// The entry count at which the next write sweeps expired cache entries (doubling keeps sweeps amortized O(1)).
    var cacheSweepThreshold = InMemoryJobStore.minimumCacheSweepThreshold

    /// An empty store. `lifecycle` decides every transition; `idempotencyWindow` is how long a key names its job
    /// (a day, as in the other stores); `clock` is read only where the protocol passes no time.
    /// `placementFeedCapacity` is how many changes the placement feed keeps at least.
    public init(
        lifecycle: JobLifecycle = JobLifecycle(), idempotencyWindow: TimeInterval = JobSpec.idempotencyWindow,
        placementFeedCapacity: Int = 10_000, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.placementFeedCapacity = max(1, placementFeedCapacity)
        self.lifecycle = lifecycle
        self.idempotencyWindow = idempotencyWindow
        self.clock = clock
    }

    // MARK: - Jobs

    public func submit(_ spec: JobSpec, now: Date) async throws -> (job: Job, created: Bool) {
        try submitCore(spec, maxQueued: nil, now: now)
    }

    /// Submits unless the tenant already has `maxQueued` queued jobs, checked in the same step as the insert so two
    /// submissions cannot both take the last place. A submission the idempotency key answers with an existing job
    /// creates nothing and is never refused. Throws `StoreError.quotaExceeded`.
    public func submit(_ spec: JobSpec, maxQueued: Int?, now: Date) async throws -> (job: Job, created: Bool) {
        try submitCore(spec, maxQueued: maxQueued, now: now)
    }

    /// The one submission path: idempotency, then the quota (nil: none), then the insert, with no suspension
    /// between them.
    private func submitCore(_ spec: JobSpec, maxQueued: Int?, now: Date) throws -> Submission {
        let key = spec.idempotencyKey.map { IdempotencyKey(tenant: spec.tenant, key: $0) }
        if let key, let existingID = idempotencyKeys[key], let existing = jobs[existingID]?.job,
            now.timeIntervalSince(existing.createdAt) < idempotencyWindow
        {
            return (existing, false)
        }
        if let maxQueued {
            // A segmented job's tasks are its own work, not more submissions: they do not count.
            let tasks = jobs.values.filter {
                $0.job.spec.tenant == spec.tenant && $0.job.state == .queued && $0.job.spec.segment != nil
            }.count
            let queued = (stateCounts(tenant: spec.tenant)[.queued] ?? 0) - tasks
            if queued >= maxQueued {
                throw StoreError.quotaExceeded(QuotaCheck.queued(maxQueued: maxQueued, queued: queued))
            }
        }
        let job = Job(id: JobID.generate(), spec: spec, now: now)
        insert(job)
        // Past the window the key is free again: the old job keeps its record (and its spec's key), not the key.
        if let key { idempotencyKeys[key] = job.id }
        return (job, true)
    }

    /// What a submission returns: the job, and whether this call created it.
    typealias Submission = (job: Job, created: Bool)

    public func job(_ id: JobID) async throws -> Job? {
        jobs[id]?.job
    }

    public func list(_ filter: JobFilter) async throws -> JobPage {
        let limit = min(max(filter.limit, 1), 500)
        // Indexes below `end` hold the jobs older than the cursor's.
        var end = submissionOrder.count
        if let cursor = filter.cursor {
            end = min(end, Int(clamping: try ListCursor.decode(cursor) - 1))
        }
        var page: [StoredJob] = []
        // One job beyond the page tells whether another page exists, so the last page carries no cursor.
        for index in stride(from: end - 1, through: 0, by: -1) {
            guard page.count <= limit else { break }
            guard let stored = jobs[submissionOrder[index]] else { continue }
            if let tenant = filter.tenant, stored.job.spec.tenant != tenant { continue }
            if let state = filter.state, stored.job.state != state { continue }
            page.append(stored)
        }
        let jobs = page.prefix(limit)
        let nextCursor = page.count > limit ? jobs.last.map { ListCursor.encode(seq: $0.seq) } : nil
        return JobPage(jobs: jobs.map(\.job), nextCursor: nextCursor)
    }

    public func countByState() async throws -> [JobState: Int] {
        stateCounts
    }

    // MARK: - Lifecycle

    public func claimNext(
        worker: WorkerID, pool: String, acceptsUnpinned: Bool, leaseDuration: Duration, now: Date
    ) async throws -> Job? {
        // Queued, past its backoff, not placed on a worker, on this pool or unpinned when the claimer takes that.
        let best = queued { job in
            guard job.placement == nil, job.notBefore <= now else { return false }
            return job.spec.pool.map { $0 == pool } ?? acceptsUnpinned
        }.min(by: StoredJob.claimsBefore)
        guard let best else { return nil }
        let event = JobEvent.claim(worker: worker, pool: pool, leaseDuration: leaseDuration)
        let transition = try transition(event, best.job, now)
        persist(transition, now: now)
        return transition.job
    }

    @discardableResult
    public func apply(_ event: JobEvent, to id: JobID, now: Date) async throws -> Transition {
        let transition = try transition(event, try existing(id), now)
        persist(transition, now: now)
        return transition
    }

    public func heartbeat(
        _ lease: Lease, progress: TranscodeProgress?, leaseDuration: Duration, now: Date
    ) async throws -> HeartbeatReply {
        let job = try existing(lease.job)
        // Checked before the lease: a cancelled job's lease is dead too, but the worker should learn why.
        if job.state == .cancelled { return .cancelled }
        let event = JobEvent.heartbeat(lease, progress: progress, leaseDuration: leaseDuration)
        guard let transition = try? lifecycle.apply(event, to: job, now: now) else { return .leaseLost }
        // A heartbeat has no effects to act on; it is a write like any other and moves the version on.
        write(transition.job)
        return .proceed
    }

    public func recoverLeases(now: Date, deadWorkers: Set<WorkerID>) async throws -> [Transition] {
        // A lease that ends exactly at `now` is still held; a dead worker's lease ends at once.
        let due = runningJobs.compactMap { jobs[$0] }.filter { stored in
            let job = stored.job
            let workerIsDead = job.worker.map { deadWorkers.contains($0) } ?? false
            return workerIsDead || (job.leaseExpiresAt.map { $0 < now } ?? false)
        }.sorted { $0.seq < $1.seq }
        // Every transition is decided before any is written, so a refusal changes nothing.
        let transitions = try due.map { try transition(.leaseExpired, $0.job, now) }
        for transition in transitions { persist(transition, now: now) }
        return transitions
    }

    // MARK: - Workers

    public func upsertWorker(_ worker: WorkerRecord) async throws {
        workerRecords[worker.id] = worker
    }

    public func removeWorker(_ id: WorkerID) async throws {
        workerRecords[id] = nil
    }

    public func workers() async throws -> [WorkerRecord] {
        workerRecords.values.sorted { ($0.pool, $0.id.rawValue) < ($1.pool, $1.id.rawValue) }
    }

    /// Memory always answers.
    public func ping() async throws {}
}

import SpoolCore

/// Where the Redis store keeps things. Keys that one atomic operation touches share a `{hash tag}`, so they live in
/// one Redis Cluster slot; jobs are spread over `shards` tags so that one logical queue is not bound to one node.
///
///     NS:{sK}:job:ID          hash: v (version), body (Job JSON), s (list sequence)
///     NS:{sK}:ready:any       zset of queued jobs any pool may take, by priority then submission order
///     NS:{sK}:ready:p:POOL    zset of queued jobs pinned to POOL
///     NS:{sK}:notbefore       hash ID → retry-backoff end (ms)
///     NS:{sK}:running         zset ID → lease expiry (ms)
///     NS:{sK}:idem            hash TENANT\u{1}KEY → ID
///     NS:{sK}:placed          zset of queued jobs with a placement → placed-at (ms), for the scheduler's books
///     NS:{sK}:placed:WORKER   zset of queued jobs placed on WORKER, in claim order
///     NS:{sK}:wake:WORKER     list of at most one token, pushed after a placement on WORKER (expires in 1 s); the
///                             worker waits on it with BLPOP instead of polling. K is the worker's own shard
///                             (`shard(of:)` of its ID), so one script wakes every worker of a shard
///     NS:scheduler:wake       list of at most one token, left by gateways and workers when a job arrives or a slot
///                             frees (expires in 5 s); the leader waits on it with BLPOP to start a cycle early
///     NS:{sK}:explain:ID      the job's latest placement explanation (JSON), expiring after a day
///     NS:{sK}:queued:t:TENANT set of the tenant's queued jobs in the shard, written by the same scripts as the job,
///                             so the queued-jobs quota counts it atomically. A tenant with that quota submits into
///                             one shard, `shard(tenant:)`; other tenants' jobs spread over all shards. Jobs
///                             queued by a Spool before these sets are counted once they are queued again
///     NS:{sK}:expiry          zset ID → end of a finished job's retention (ms), written with the job
///     NS:{sK}:feed            stream: the shard's placement feed (`PlacementFeed`), one entry per job that starts or
///                             stops waiting for placement, written by the same scripts as the job, keeping the
///                             last 30 s (`placementFeedWindow`)
///     NS:{index}:reads:upload:ID  set of the jobs whose input is upload ID (written after the job, like the lists)
///     NS:{index}:seq          submission counter (list order)
///     NS:{index}:jobs         zset ID → sequence, every job
///     NS:{index}:state:STATE  zset ID → sequence, per state (kept after each transition)
///     NS:{workers}            hash worker ID → WorkerRecord JSON
///     NS:{index}:t:TENANT:state:STATE  the same, per tenant (quotas count them)
///     NS:{tenants}            hash tenant ID → Tenant JSON
///     NS:{tenants}:keys       hash API-key hash → tenant ID
///     NS:{tenants}:usage:TENANT:DAY  hash of the `TenantUsageFields` counters (expires after 400 days)
///     NS:session:TOKENHASH    a web session (WebSession JSON), expiring with it
///     NS:{pools}              hash pool name → PoolSpec JSON
///     NS:{pools}:decisions    list of autoscaler decisions of every pool, newest first
///     NS:{pools}:decisions:p:POOL  the same, of one pool
///     NS:{pools}:demand:p:POOL     sorted set: the pool's demand history, "start:peak" scored by the start (seconds)
struct RedisKeys: Sendable {
    let namespace: String
    let shards: Int
    /// Built once: placement builds several keys per job, hundreds of jobs per cycle.
    private let tags: [String]

    init(namespace: String, shards: Int) {
        self.namespace = namespace
        self.shards = shards
        self.tags = (0..<shards).map { "\(namespace):{s\($0)}" }
    }

    func tag(_ shard: Int) -> String { tags[shard] }

    /// A stable shard for a job ID (FNV-1a), so any process finds a job without asking.
    func shard(of id: JobID) -> Int { Self.fnv1a(id.rawValue) % shards }

    func shard(tenant: TenantID, idempotencyKey: String) -> Int {
        Self.fnv1a(tenant.rawValue + "\u{1}" + idempotencyKey) % shards
    }

    /// The shard every job of a tenant with a queued-jobs quota goes to, so one script sees its queued count.
    func shard(tenant: TenantID) -> Int { Self.fnv1a(tenant.rawValue) % shards }

    func job(_ id: JobID) -> String { tag(shard(of: id)) + ":job:" + id.rawValue }
    func ready(shard: Int, pool: String?) -> String { tag(shard) + ":ready:" + (pool.map { "p:" + $0 } ?? "any") }
    func notBefore(shard: Int) -> String { tag(shard) + ":notbefore" }
    func running(shard: Int) -> String { tag(shard) + ":running" }
    func idempotency(shard: Int) -> String { tag(shard) + ":idem" }
    /// When each idempotency entry was written, so expired ones can be found and deleted.
    func idempotencyTimes(shard: Int) -> String { tag(shard) + ":idem-at" }
    func placedAll(shard: Int) -> String { tag(shard) + ":placed" }
    /// A one-element list the leader pushes to after placing on a worker; the worker waits on it with BLPOP.
    func wake(_ worker: WorkerID) -> String { tag(shard(of: worker)) + ":wake:" + worker.rawValue }
    /// The shard a worker's wake list lives in: a cycle's wakes then take one script per shard.
    func shard(of worker: WorkerID) -> Int { Self.fnv1a(worker.rawValue) % shards }
    /// `worker` nil names a key that is never written, for scripts that need a key in every position.
    func placed(shard: Int, worker: WorkerID?) -> String { tag(shard) + ":placed:" + (worker?.rawValue ?? "-") }
    /// The leader's wake list (`RedisJobStore.wakeScheduler`): one key, so one BLPOP hears every process.
    var schedulerWake: String { "\(namespace):scheduler:wake" }
    /// Shared-cache entries spread over the cluster by their own key (no hash tag: each is read alone).
    func cache(_ key: String) -> String { "\(namespace):cache:" + key }
    func webhooks(shard: Int) -> String { tag(shard) + ":webhooks" }
    func queued(shard: Int, tenant: TenantID) -> String { tag(shard) + ":queued:t:" + tenant.rawValue }
    /// The set a job's queued state is kept in for the tenant's quota: a segmented job's tasks go to a set of their
    /// own, which no quota counts.
    func queued(shard: Int, spec: JobSpec) -> String {
        spec.segment == nil
            ? queued(shard: shard, tenant: spec.tenant) : tag(shard) + ":queued-tasks:t:" + spec.tenant.rawValue
    }
    func expiry(shard: Int) -> String { tag(shard) + ":expiry" }
    func placementFeed(shard: Int) -> String { tag(shard) + ":feed" }
    func readers(of upload: UploadID) -> String { "\(namespace):{index}:reads:upload:" + upload.rawValue }
    func explanation(_ id: JobID) -> String { tag(shard(of: id)) + ":explain:" + id.rawValue }

    var sequence: String { "\(namespace):{index}:seq" }
    var allJobs: String { "\(namespace):{index}:jobs" }
    func state(_ state: JobState) -> String { "\(namespace):{index}:state:" + state.rawValue }
    var workers: String { "\(namespace):{workers}" }
    func state(_ state: JobState, tenant: TenantID) -> String {
        "\(namespace):{index}:t:\(tenant.rawValue):state:" + state.rawValue
    }
    var tenants: String { "\(namespace):{tenants}" }
    var tenantKeys: String { "\(namespace):{tenants}:keys" }
    func usage(_ tenant: TenantID, day: String) -> String { "\(namespace):{tenants}:usage:\(tenant.rawValue):\(day)" }
    var pools: String { "\(namespace):{pools}" }
    func demandHistory(pool: String) -> String { "\(namespace):{pools}:demand:p:\(pool)" }
    func scalingDecisions(pool: String?) -> String {
        "\(namespace):{pools}:decisions" + (pool.map { ":p:" + $0 } ?? "")
    }

    static func fnv1a(_ text: String) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return Int(hash)
    }
}

import Foundation
import RESPClient
import SpoolCore

/// The job store on Redis 7, single node or Cluster. Every change reads the job, asks `JobLifecycle` for the next
/// state, and writes it with a compare-and-set script on the job's version: two workers can never both claim an
/// attempt, and a late worker can never commit over a newer one.
public final class RedisJobStore: JobStore {
    let client: RedisClient
    let lifecycle: JobLifecycle
    let keys: RedisKeys
    /// How long each shard's placement feed keeps a change (about: Redis trims whole nodes of the stream). By time,
    /// not count, so the stream's memory follows the rate of changes and stays flat under a steady load; a leader
    /// that has not read its feed for longer takes a snapshot instead.
    let placementFeedWindow: Duration
    /// How many times a transition is retried when another writer changed the job first.
    static let maxRaces = 16
    /// Jobs as last decoded or written here, each reused while its stored text is unchanged: a worker reads its job
    /// before every transition (claim, heartbeats, commit), and decoding the text was a quarter of its CPU time.
    let jobBodies = StoredJSONMemo<Job>(capacity: 4096)
    /// Whether a submission is one script that also takes the sequence and lists the job (a single server) or a
    /// read, the script and the listing (a Cluster, where those keys are in another slot); nil decides by the server.
    let submissionInOneScript: Bool?

    /// - Parameters:
    ///   - namespace: prefix of every key, so several deployments can share one Redis.
    ///   - shards: how many hash tags jobs spread over; must stay the same for the life of the data.
    ///   - placementFeedWindow: how long each shard's placement feed keeps a change.
    public convenience init(
        client: RedisClient, namespace: String = "spool", shards: Int = 4, lifecycle: JobLifecycle = JobLifecycle(),
        placementFeedWindow: Duration = .seconds(30)
    ) {
        self.init(
            client: client, namespace: namespace, shards: shards, lifecycle: lifecycle,
            placementFeedWindow: placementFeedWindow, submissionInOneScript: nil)
    }

    /// - Parameter submissionInOneScript: whether submissions are one script; nil: on a single server only, as the
    ///   public initializer has it (tests set it to compare the two ways on one server).
    init(
        client: RedisClient, namespace: String, shards: Int, lifecycle: JobLifecycle, placementFeedWindow: Duration,
        submissionInOneScript: Bool?
    ) {
        self.submissionInOneScript = submissionInOneScript
        self.client = client
        self.placementFeedWindow = max(.seconds(1), placementFeedWindow)
        self.lifecycle = lifecycle
        self.keys = RedisKeys(namespace: namespace, shards: max(1, shards))
    }

    // MARK: - Jobs

    public func submit(_ spec: JobSpec, maxQueued: Int?, now: Date) async throws -> (job: Job, created: Bool) {
        // A tenant with a queued-jobs quota submits into its own shard, where the submit script counts its queued
        // jobs and creates the job as one step; other jobs spread over the shards (by key, or at random).
        let tenantShard = keys.shard(tenant: spec.tenant)
        let shard: Int
        var idempotencyField = ""
        // The other shard a key may have named its job in: the key's own shard when the job was submitted without
        // a quota (or by a Spool before this one), the tenant's when with one and the quota was removed since.
        var otherKeyShard: Int?
        if let key = spec.idempotencyKey {
            idempotencyField = spec.tenant.rawValue + "\u{1}" + key
            let keyShard = keys.shard(tenant: spec.tenant, idempotencyKey: key)
            shard = maxQueued == nil ? keyShard : tenantShard
            let other = maxQueued == nil ? tenantShard : keyShard
            if other != shard { otherKeyShard = other }
        } else {
            shard = maxQueued == nil ? Int.random(in: 0..<keys.shards) : tenantShard
        }
        let otherShards = maxQueued == nil ? [] : (0..<keys.shards).filter { $0 != shard }
        let id = generateID(inShard: shard)
        let job = Job(id: id, spec: spec, now: now)
        let body = try StoredJSON.encode(job)
        // The submit script's keys and arguments (`RedisScripts.submitJob`). The ready score, the sequence and the
        // queued jobs elsewhere are the Cluster's way's to give; the one-script way works them out itself.
        var scriptKeys: [RESPArgument] = [
            .init(keys.idempotency(shard: shard)), .init(keys.job(id)), .init(readyKey(job)),
            .init(keys.idempotencyTimes(shard: shard)), .init(keys.queued(shard: shard, spec: spec)),
            .init(keys.placementFeed(shard: shard)),
        ]
        let record = QueuedJobRecord.encode(job)
        func arguments(score: Int = 0, sequence: Int = 0, queuedElsewhere: Int = 0) -> [RESPArgument] {
            [
                .init(idempotencyField), .init(id.rawValue), .init(body), .init(score), .init(sequence), .init(record),
                .init(Self.millis(now)), .init(Int(JobSpec.idempotencyWindow * 1000)),
                .init(maxQueued.map(String.init) ?? ""), .init(queuedElsewhere), .init(placementFeedWindowMillis),
            ]
        }
        let reply: RESPValue
        if try await submitsInOneScript() {
            // A single server: the sequence, the other shard's key, the quota's other shards and the list indexes
            // are on the same node as the shard, so one script does it all.
            var upload: UploadID?
            if case .upload(let uploaded) = spec.input { upload = uploaded }
            scriptKeys += [
                .init(keys.sequence), .init(keys.allJobs), .init(keys.state(.queued)),
                .init(keys.state(.queued, tenant: spec.tenant)), .init(keys.idempotency(shard: otherKeyShard ?? shard)),
                .init(upload.map(keys.readers(of:)) ?? keys.allJobs),
            ]
            scriptKeys += otherShards.map { .init(keys.queued(shard: $0, tenant: spec.tenant)) }
            let listing: [RESPArgument] = [
                .init(readyScore(priority: spec.priority, sequence: 0)), .init(upload == nil ? "" : "1"),
            ]
            reply = try await call {
                try await client.run(
                    script: RedisScripts.submitAndList, keys: scriptKeys, arguments: arguments() + listing)
            }
        } else {
            // A Cluster: the sequence and the list indexes live in another slot than the shard, so they are read
            // before the script and written after it.
            switch try await readBeforeSubmitting(
                spec, field: idempotencyField, otherKeyShard: otherKeyShard, otherShards: otherShards, now: now)
            {
            case .replay(let existing):
                return (try await replay(existing), false)
            case .sequence(let sequence, let queuedElsewhere):
                let given = arguments(
                    score: readyScore(priority: spec.priority, sequence: sequence), sequence: sequence,
                    queuedElsewhere: queuedElsewhere)
                reply = try await call {
                    try await client.run(script: RedisScripts.submit, keys: scriptKeys, arguments: given)
                }
                if reply.array?.first?.int == 1 {
                    try await index(id, sequence: sequence, tenant: spec.tenant, from: nil, to: .queued)
                    try await indexInput(of: job)
                }
            }
        }
        guard let parts = reply.array, parts.count == 2, let outcome = parts[0].int else {
            throw StoreError.corrupt("unexpected submit reply \(reply)")
        }
        switch outcome {
        case 1:
            jobBodies.remember(job, text: body, key: id.rawValue)
            return (job, true)
        case 2:
            let queued = parts[1].int ?? parts[1].string.flatMap(Int.init) ?? 0
            throw StoreError.quotaExceeded(QuotaCheck.queued(maxQueued: maxQueued ?? 0, queued: queued))
        default:
            guard let name = parts[1].string else { throw StoreError.corrupt("unexpected submit reply \(reply)") }
            return (try await replay(JobID(rawValue: name)), false)
        }
    }

    /// What a Cluster's submission reads before its script: the list sequence, and either the job the key names in
    /// the other shard (a replay) or the tenant's queued jobs in the shards the script does not see.
    private enum ReadBeforeSubmitting {
        case replay(JobID)
        case sequence(Int, queuedElsewhere: Int)
    }

    /// One round trip: the list sequence, the key in the other shard, and the tenant's queued jobs in the shards the
    /// script does not see (jobs submitted before the quota was set). Those counts can only fall while the tenant's
    /// submissions go to its own shard, so counting them as read never lets a submission past the quota.
    private func readBeforeSubmitting(
        _ spec: JobSpec, field: String, otherKeyShard: Int?, otherShards: [Int], now: Date
    ) async throws -> ReadBeforeSubmitting {
        var otherKeyShard = otherKeyShard
        var commands: [[RESPArgument]] = [["INCR", .init(keys.sequence)]]
        if let otherKeyShard {
            commands.append(["HGET", .init(keys.idempotency(shard: otherKeyShard)), .init(field)])
        }
        commands += otherShards.map { ["SCARD", .init(keys.queued(shard: $0, tenant: spec.tenant))] }
        let results: [Result<RESPValue, RedisError>]
        do { results = try await client.pipeline(commands) } catch let error as RedisError {
            throw StoreError.from(error)
        }
        let required = otherKeyShard == nil ? 1 : 2
        if otherKeyShard != nil, case .failure = results[1],
            try await !tenantMayHaveKeysFiledElsewhere(spec.tenant, now: now)
        {
            // The other shard is away (a failover), and the tenant's record says no key of its can be filed there.
            otherKeyShard = nil
        }
        let replies = try results.prefix(otherKeyShard == nil ? 1 : 2).map { try $0.mapError(StoreError.from).get() }
        if otherKeyShard != nil, let entry = replies[1].string, let existing = Self.liveEntry(entry, now: now) {
            return .replay(existing)
        }
        // A shard that cannot be read (its master failing over) counts as holding none of the tenant's older jobs:
        // those exist only for a tenant that was given its quota late, while refusing would stop every quota tenant's
        // submissions for as long as any one shard is away.
        let queuedElsewhere = results.dropFirst(required).reduce(0) { $0 + ((try? $1.get())?.int ?? 0) }
        return .sequence(replies[0].int ?? 0, queuedElsewhere: queuedElsewhere)
    }

    /// Whether a submission is one script (`RedisScripts.submitAndList`): on a single server, where all its keys
    /// are, unless a test chose.
    private func submitsInOneScript() async throws -> Bool {
        if let submitsInOneScript = submissionInOneScript { return submitsInOneScript }
        do { return try await client.resolvedMode() == .standalone } catch let error as RedisError {
            throw StoreError.from(error)
        }
    }

    /// Read only when the other shard cannot be: a tenant without a record (the keyless `default`) never had a quota.
    private func tenantMayHaveKeysFiledElsewhere(_ id: TenantID, now: Date) async throws -> Bool {
        try await tenant(id)?.mayHaveKeysFiledElsewhere(now: now) ?? false
    }

    /// The job an idempotency key named, for a replay.
    private func replay(_ id: JobID) async throws -> Job {
        guard let existing = try await read(id) else {
            throw StoreError.corrupt("idempotency key names job \(id), which is gone")
        }
        // On a Cluster the list indexes live in another slot, so they are written after the job; a gateway killed
        // in between leaves the job unlisted. The client's retry with the same key comes here, and the indexes are
        // written again (they are sets: writing twice changes nothing).
        try await index(
            existing.job.id, sequence: existing.sequence, tenant: existing.job.spec.tenant, from: nil,
            to: existing.job.state)
        try await indexInput(of: existing.job)
        return existing.job
    }

    /// The job of an idempotency entry (`ID\1CREATED_MS`, or a plain `ID` that never expires) still in its window.
    static func liveEntry(_ entry: String, now: Date) -> JobID? {
        let parts = entry.split(separator: "\u{1}", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return JobID(rawValue: entry) }
        guard let created = Int(parts[1]), millis(now) - created < Int(JobSpec.idempotencyWindow * 1000) else {
            return nil
        }
        return JobID(rawValue: String(parts[0]))
    }

    public func job(_ id: JobID) async throws -> Job? {
        try await read(id)?.job
    }

    public func list(_ filter: JobFilter) async throws -> JobPage {
        let limit = min(max(filter.limit, 1), 500)
        let indexKey = filter.state.map(keys.state) ?? keys.allJobs
        var upper = "+inf"
        if let cursor = filter.cursor {
            guard let value = Int(cursor), value > 0 else { throw StoreError.invalidCursor(cursor) }
            upper = "(\(value)"
        }
        var jobs: [Job] = []
        var lastSequence: Int?
        var exhausted = false
        // Indexes may briefly hold entries whose job has moved on; those are skipped, so read in batches.
        while jobs.count < limit && !exhausted {
            let batch =
                try await call {
                    try await client.send([
                        "ZREVRANGEBYSCORE", .init(indexKey), .init(upper), "-inf", "WITHSCORES", "LIMIT", "0",
                        .init(limit * 2),
                    ])
                }.array ?? []
            exhausted = batch.count < limit * 4
            var index = 0
            while index + 1 < batch.count, jobs.count < limit {
                guard let name = batch[index].string,
                    let score = batch[index + 1].double ?? batch[index + 1].string.flatMap(Double.init)
                else { break }
                index += 2
                upper = "(\(Int(score))"
                lastSequence = Int(score)
                guard let job = try await self.job(JobID(rawValue: name)) else { continue }
                if let state = filter.state, job.state != state { continue }
                if let tenant = filter.tenant, job.spec.tenant != tenant { continue }
                jobs.append(job)
            }
            if batch.isEmpty { exhausted = true }
        }
        var next: String?
        if jobs.count == limit, let lastSequence {
            let more =
                try await call {
                    try await client.send([
                        "ZREVRANGEBYSCORE", .init(indexKey), .init("(\(lastSequence)"), "-inf", "LIMIT", "0", "1",
                    ])
                }.array ?? []
            if !more.isEmpty { next = String(lastSequence) }
        }
        return JobPage(jobs: jobs, nextCursor: next)
    }

    public func countByState() async throws -> [JobState: Int] {
        let replies = try await client.pipeline(JobState.allCases.map { ["ZCARD", .init(keys.state($0))] })
        var counts: [JobState: Int] = [:]
        for (state, reply) in zip(JobState.allCases, replies) {
            counts[state] = try reply.mapError(StoreError.from).get().int ?? 0
        }
        return counts
    }

    public func claimNext(
        worker: WorkerID, pool: String, acceptsUnpinned: Bool, leaseDuration: Duration, now: Date
    ) async throws -> Job? {
        let nowMillis = Int((now.timeIntervalSince1970 * 1000).rounded(.down))
        // Each shard offers its best few; merged by score they give the global order (priority, then submission).
        var candidates: [(id: String, score: Double)] = []
        for shard in 0..<keys.shards {
            let reply = try await call {
                try await client.run(
                    script: RedisScripts.candidates,
                    keys: [
                        .init(keys.ready(shard: shard, pool: pool)), .init(keys.ready(shard: shard, pool: nil)),
                        .init(keys.notBefore(shard: shard)),
                    ],
                    arguments: [.init(nowMillis), 16, acceptsUnpinned ? "1" : "0"], writes: false)
            }
            candidates += Self.scoredMembers(reply)
        }
        return try await claimFirst(of: candidates, worker: worker, pool: pool, leaseDuration: leaseDuration, now: now)
    }

    /// Claims the best of `candidates` that can still be claimed: one another worker took first, or one still in
    /// backoff to the exact instant, is skipped.
    /// - Parameter spread: start at a random one of the candidates (and go round), for lists that are all this
    ///   worker's anyway: its slots then rarely race one another for the same job, each race costing a read and a
    ///   refused compare-and-set.
    func claimFirst(
        of candidates: [(id: String, score: Double)], worker: WorkerID, pool: String, leaseDuration: Duration,
        now: Date,
        spread: Bool = false
    ) async throws -> Job? {
        let event = JobEvent.claim(worker: worker, pool: pool, leaseDuration: leaseDuration)
        var ordered = candidates.sorted(by: { $0.score < $1.score })
        if spread, ordered.count > 1 {
            let start = Int.random(in: 0..<ordered.count)
            ordered = Array(ordered[start...] + ordered[..<start])
        }
        for candidate in ordered {
            if let transition = try? await transition(event, JobID(rawValue: candidate.id), now: now) {
                return transition.job
            }
        }
        return nil
    }

    /// `{member, score, member, score, …}` as ZRANGE WITHSCORES and the candidate scripts return it.
    static func scoredMembers(_ reply: RESPValue) -> [(id: String, score: Double)] {
        let flat = reply.array?.compactMap(\.string) ?? []
        return stride(from: 0, to: flat.count - 1, by: 2).map { (flat[$0], Double(flat[$0 + 1]) ?? .infinity) }
    }

    @discardableResult
    public func apply(_ event: JobEvent, to id: JobID, now: Date) async throws -> Transition {
        try await transition(event, id, now: now)
    }

    public func heartbeat(_ lease: Lease, progress: TranscodeProgress?, leaseDuration: Duration, now: Date) async throws
        -> HeartbeatReply
    {
        guard let current = try await read(lease.job) else { throw StoreError.jobNotFound(lease.job) }
        if current.job.state == .cancelled { return .cancelled }
        do {
            try await transition(
                .heartbeat(lease, progress: progress, leaseDuration: leaseDuration), lease.job, now: now)
            return .proceed
        } catch StoreError.lifecycle {
            if try await read(lease.job)?.job.state == .cancelled { return .cancelled }
            return .leaseLost
        }
    }

    public func recoverLeases(now: Date, deadWorkers: Set<WorkerID>) async throws -> [Transition] {
        var transitions: [Transition] = []
        for shard in 0..<keys.shards {
            let running = try await call {
                try await client.send(["ZRANGE", .init(keys.running(shard: shard)), "0", "-1"])
            }
            for name in running.array?.compactMap(\.string) ?? [] {
                let id = JobID(rawValue: name)
                guard let job = try await read(id)?.job, job.state == .running else { continue }
                let dead = job.worker.map(deadWorkers.contains) ?? false
                let expired = job.leaseExpiresAt.map { $0 < now } ?? false
                guard dead || expired else { continue }
                if let transition = try? await transition(
                    .leaseExpired, id, now: now, unless: { $0.attempt != job.attempt })
                {
                    transitions.append(transition)
                }
            }
        }
        return transitions
    }

    // MARK: - Placement

    public func waitingForPlacement(now: Date, limit: Int, pools: Set<String>) async throws -> [QueuedJob] {
        let limit = max(1, limit)
        // Queued jobs sit in the shared queue or their pool's.
        var ranges: [[RESPArgument]] = []
        let queues: [String?] = [nil] + pools.sorted()
        // Each queue offers twice its even share of the batch: jobs spread evenly over shards, and a job left out
        // by a crowded shard is read on the next cycle, which the dispatch order reorders anyway.
        let perQueue = min(limit, max(16, 2 * limit / keys.shards))
        for shard in 0..<keys.shards {
            for pool in queues {
                let key = keys.ready(shard: shard, pool: pool)
                ranges.append(["ZRANGE", .init(key), "0", .init(perQueue - 1), "WITHSCORES"])
            }
        }
        var candidates: [(id: String, score: Double)] = []
        for result in try await client.pipeline(ranges) {
            candidates += Self.scoredMembers(try result.mapError(StoreError.from).get())
        }
        candidates.sort { $0.score < $1.score }
        // A few spare candidates stand in for jobs placed or backing off since the ranges were read.
        return try await queuedJobs(Array(candidates.prefix(limit + limit / 8 + 8).map(\.id)), now: now, limit: limit)
    }

    public func holdingResources() async throws -> [Job] {
        var holdingKeys: [[RESPArgument]] = []
        for shard in 0..<keys.shards {
            holdingKeys.append(["ZRANGE", .init(keys.running(shard: shard)), "0", "-1"])
            holdingKeys.append(["ZRANGE", .init(keys.placedAll(shard: shard)), "0", "-1"])
        }
        var holdingIDs: [String] = []
        for result in try await client.pipeline(holdingKeys) {
            holdingIDs += try result.mapError(StoreError.from).get().array?.compactMap(\.string) ?? []
        }
        var holding: [Job] = []
        for versioned in try await readMany(holdingIDs) {
            let job = versioned.job
            let holdsResources = job.state == .running || (job.state == .queued && job.placement != nil)
            if holdsResources { holding.append(job) }
        }
        return holding
    }

    public func commitPlacements(_ commits: [PlacementCommit], now: Date) async throws -> [PlacementCommitOutcome] {
        guard !commits.isEmpty else { return [] }
        // The scheduler read each job queued and unplaced; the same version means it still is, so the lifecycle's
        // `.place` check holds without reading the job again.
        var outcomes = [PlacementCommitOutcome](repeating: .stale, count: commits.count)
        var byShard: [Int: [Int]] = [:]
        for (index, commit) in commits.enumerated() { byShard[keys.shard(of: commit.job), default: []].append(index) }
        try await withThrowingTaskGroup(of: [(Int, PlacementCommitOutcome)].self) { group in
            for (shard, indexes) in byShard {
                for chunk in Self.scriptBatches(indexes) {
                    group.addTask {
                        try await self.placeBatch(chunk.map { ($0, commits[$0]) }, shard: shard)
                    }
                }
            }
            for try await results in group { for (index, outcome) in results { outcomes[index] = outcome } }
        }
        await wake(Set(zip(commits, outcomes).filter { $0.1 == .committed }.map(\.0.placement.worker)))
        return outcomes
    }

    /// `items` in batches of at most 256, one script call each: bounded batches keep any one script short, so Redis
    /// never stalls other clients for long.
    static func scriptBatches<T>(_ items: [T]) -> [[T]] {
        stride(from: 0, to: items.count, by: 256).map { Array(items[$0..<min($0 + 256, items.count)]) }
    }

    /// Tells workers in other processes that something was placed on them, so they claim it now instead of at their
    /// next poll: one token left in each one's wake list for a second (a worker waiting on it gets it at once; one
    /// that is not waiting polls within a quarter of a second anyway; one that is gone lets it expire). Best effort:
    /// a worker that misses it still polls. One script per shard of wake lists: a cycle places on hundreds of
    /// workers, and three plain commands each cost the leader and Redis a tenth of the cycle's time.
    func wake(_ workers: Set<WorkerID>) async {
        guard !workers.isEmpty else { return }
        var byShard: [Int: [RESPArgument]] = [:]
        for worker in workers { byShard[keys.shard(of: worker), default: []].append(.init(keys.wake(worker))) }
        await withTaskGroup(of: Void.self) { group in
            for lists in byShard.values {
                for chunk in Self.scriptBatches(lists) {
                    group.addTask {
                        // A lost token costs the worker a poll interval, not its job: not replicated, not retried.
                        _ = try? await self.client.run(
                            script: RedisScripts.leaveWakeTokens, keys: chunk, arguments: ["1000"], writes: false)
                    }
                }
            }
        }
    }

    /// Waits up to `seconds` for a placement on `worker` (see `wake`); true when one came.
    public func waitForPlacement(on worker: WorkerID, seconds: Int) async throws -> Bool {
        let key = RESPArgument(keys.wake(worker))
        let reply = try await client.blocking(["BLPOP", key, .init(seconds)], key: key)
        switch reply {
        case .null, .array(nil): return false
        default: return true
        }
    }

    func placeBatch(_ batch: [(index: Int, commit: PlacementCommit)], shard: Int) async throws
        -> [(Int, PlacementCommitOutcome)]
    {
        var scriptKeys: [RESPArgument] = [.init(keys.placedAll(shard: shard)), .init(keys.placementFeed(shard: shard))]
        var arguments: [RESPArgument] = [.init(placementFeedWindowMillis)]
        for (_, commit) in batch {
            let placement = commit.placement
            scriptKeys += [
                .init(keys.job(commit.job)), .init(keys.ready(shard: shard, pool: commit.pinnedPool)),
                .init(keys.placed(shard: shard, worker: placement.worker)),
            ]
            arguments += [
                .init(commit.job.rawValue), .init(commit.version), .init(PlacementRecord.encode(placement)),
                .init(readyScore(priority: commit.priority, sequence: Self.millis(placement.placedAt))),
                .init(Self.millis(placement.placedAt)),
            ]
        }
        let reply = try await call {
            try await client.run(script: RedisScripts.placeBatch, keys: scriptKeys, arguments: arguments)
        }
        let flags = reply.array?.map { $0.int ?? 0 } ?? []
        return batch.enumerated().map { position, entry in
            (entry.index, position < flags.count && flags[position] == 1 ? .committed : .stale)
        }
    }

    public func claimPlaced(worker: WorkerID, pool: String, leaseDuration: Duration, now: Date) async throws -> Job? {
        let ranges: [[RESPArgument]] = (0..<keys.shards).map {
            ["ZRANGE", .init(keys.placed(shard: $0, worker: worker)), "0", "15", "WITHSCORES"]
        }
        var candidates: [(id: String, score: Double)] = []
        for result in try await client.pipeline(ranges) {
            candidates += Self.scoredMembers(try result.mapError(StoreError.from).get())
        }
        // Every job in these lists was placed on this worker, in any order it likes.
        return try await claimFirst(
            of: candidates, worker: worker, pool: pool, leaseDuration: leaseDuration, now: now, spread: true)
    }

    public func savePlacementExplanation(_ json: String, for job: JobID) async throws {
        try await call { try await client.send(["SET", .init(keys.explanation(job)), .init(json), "EX", "86400"]) }
    }

    public func placementExplanation(for job: JobID) async throws -> String? {
        try await call { try await client.send(["GET", .init(keys.explanation(job))]) }.string
    }

    /// Reads the placement records of queued jobs in one pipeline, skipping jobs placed meanwhile or still in their
    /// retry backoff. A job without a readable record (written by an older Spool) is read in full.
    func queuedJobs(_ ids: [String], now: Date, limit: Int) async throws -> [QueuedJob] {
        guard !ids.isEmpty else { return [] }
        var byShard: [Int: [String]] = [:]
        for name in ids { byShard[keys.shard(of: JobID(rawValue: name)), default: []].append(name) }
        let nowMillis = Self.millis(now)
        // One script per shard: a command per job would cost more than the placement itself.
        var found: [String: QueuedJob] = [:]
        var unreadable: [JobID] = []
        try await withThrowingTaskGroup(of: [(String, Int?, String?)].self) { group in
            for (shard, names) in byShard {
                group.addTask {
                    let reply = try await self.call {
                        try await self.client.run(
                            script: RedisScripts.queuedRecords,
                            keys: [.init(self.keys.notBefore(shard: shard))]
                                + names.map { .init(self.keys.job(JobID(rawValue: $0))) },
                            arguments: [.init(nowMillis)] + names.map { .init($0) }, writes: false)
                    }
                    let values = reply.array ?? []
                    return names.enumerated().map { position, name in
                        let version = position * 2 < values.count ? values[position * 2].string.flatMap(Int.init) : nil
                        let record = position * 2 + 1 < values.count ? values[position * 2 + 1].string : nil
                        return (name, version, record)
                    }
                }
            }
            for try await results in group {
                for (name, version, record) in results {
                    guard let version else { continue }
                    let id = JobID(rawValue: name)
                    if let record, let queued = QueuedJobRecord.decode(record, id: id, version: version) {
                        found[name] = queued
                    } else {
                        unreadable.append(id)
                    }
                }
            }
        }
        // Jobs written by an older Spool have no record: read them in full.
        for id in unreadable {
            if let versioned = try await read(id), versioned.job.state == .queued, versioned.job.placement == nil,
                versioned.job.notBefore <= now, let version = Int(versioned.version)
            {
                found[id.rawValue] = QueuedJob(versioned.job, version: version)
            }
        }
        return Array(ids.lazy.compactMap { found[$0] }.prefix(limit))
    }

    /// Reads many jobs in one pipeline; missing ones are left out.
    func readMany(_ ids: [String]) async throws -> [Versioned] {
        guard !ids.isEmpty else { return [] }
        let replies = try await client.pipeline(ids.map { Self.readCommand(keys.job(JobID(rawValue: $0))) })
        var jobs: [Versioned] = []
        for (id, reply) in zip(ids, replies) {
            if let versioned = try versioned(try reply.mapError(StoreError.from).get(), id: JobID(rawValue: id)) {
                jobs.append(versioned)
            }
        }
        return jobs
    }

    static func millis(_ date: Date) -> Int { Int((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    /// How long the placement feed keeps an entry, as the scripts take it (`RedisScripts.placementFeedTrim`).
    var placementFeedWindowMillis: Int { Int(placementFeedWindow.seconds * 1000) }

    // MARK: - Workers

    public func upsertWorker(_ worker: WorkerRecord) async throws {
        let body = try StoredJSON.encode(worker)
        try await call { try await client.send(["HSET", .init(keys.workers), .init(worker.id.rawValue), .init(body)]) }
    }

    public func removeWorker(_ id: WorkerID) async throws {
        try await call { try await client.send(["HDEL", .init(keys.workers), .init(id.rawValue)]) }
    }

    public func workers() async throws -> [WorkerRecord] {
        let values = try await call { try await client.send(["HVALS", .init(keys.workers)]) }.array ?? []
        return try values.compactMap(\.string).map {
            try StoredJSON.decode(WorkerRecord.self, from: $0, what: "worker record")
        }
        .sorted { ($0.pool, $0.id.rawValue) < ($1.pool, $1.id.rawValue) }
    }

    public func ping() async throws {
        try await call { try await client.send(["PING"]) }
    }

    public func openCircuitBreakers() -> [String] { client.openCircuits.map { "\($0.host):\($0.port)" } }

    // MARK: - Internals

    struct Versioned {
        var job: Job
        var version: String
        var sequence: Int
    }

    func read(_ id: JobID) async throws -> Versioned? {
        let reply = try await call { try await client.send(Self.readCommand(keys.job(id))) }
        return try versioned(reply, id: id)
    }

    static func readCommand(_ key: String) -> [RESPArgument] { ["HMGET", .init(key), "v", "body", "s", "pl"] }

    /// A job hash as read: the body, with a placement committed since the body was written laid over it.
    func versioned(_ reply: RESPValue, id: JobID) throws -> Versioned? {
        guard let fields = reply.array, fields.count == 4, let version = fields[0].string, let body = fields[1].string
        else { return nil }
        var job = try jobBodies.decode(body, key: id.rawValue, what: "job \(id)")
        if let placement = fields[3].string {
            job.placement = try StoredJSON.decode(JobPlacement.self, from: placement, what: "placement of job \(id)")
        }
        return Versioned(job: job, version: version, sequence: fields[2].string.flatMap(Int.init) ?? 0)
    }

    /// Read, decide, compare-and-set; again if another writer got there first.
    @discardableResult
    func transition(_ event: JobEvent, _ id: JobID, now: Date, unless skip: (Job) -> Bool = { _ in false }) async throws
        -> Transition
    {
        for _ in 0..<Self.maxRaces {
            guard let current = try await read(id) else { throw StoreError.jobNotFound(id) }
            if skip(current.job) {
                throw StoreError.lifecycle(.invalidTransition(from: current.job.state, event: "recover"))
            }
            let transition: Transition
            do {
                transition = try lifecycle.apply(event, to: current.job, now: now)
            } catch {
                throw StoreError.lifecycle(error)
            }
            let next = transition.job
            let notBeforeMillis =
                next.state == .queued && next.notBefore > now
                ? Int((next.notBefore.timeIntervalSince1970 * 1000).rounded(.up)) : 0
            let leaseMillis = Int(((next.leaseExpiresAt ?? now).timeIntervalSince1970 * 1000).rounded(.up))
            let shard = keys.shard(of: id)
            let placedNext = next.state == .queued ? next.placement : nil
            let body = try StoredJSON.encode(next)
            let written = try await call {
                try await client.run(
                    script: RedisScripts.compareAndSet,
                    keys: [
                        .init(keys.job(id)), .init(readyKey(next)), .init(keys.notBefore(shard: shard)),
                        .init(keys.running(shard: shard)),
                        .init(keys.placed(shard: shard, worker: current.job.placement?.worker)),
                        .init(keys.placedAll(shard: shard)),
                        .init(keys.placed(shard: shard, worker: placedNext?.worker)),
                        .init(readyKey(current.job)), .init(keys.webhooks(shard: shard)),
                        .init(keys.queued(shard: shard, spec: next.spec)),
                        .init(keys.expiry(shard: shard)), .init(keys.placementFeed(shard: shard)),
                    ],
                    arguments: [
                        .init(current.version), .init(body), .init(next.state.rawValue),
                        .init(readyScore(priority: next.spec.priority, sequence: current.sequence)),
                        .init(notBeforeMillis), .init(leaseMillis), .init(id.rawValue), placedNext == nil ? "0" : "1",
                        .init(Self.millis(placedNext?.placedAt ?? now)),
                        .init(
                            current.job.spec == next.spec && current.job.encoderSpeed == next.encoderSpeed
                                ? "" : QueuedJobRecord.encode(next)),
                        .init(
                            transition.effects.contains(.deliverWebhook)
                                ? try StoredJSON.encode(WebhookDelivery.queued(for: id, now: now)) : ""),
                        .init(Self.millis(now)),
                        .init(next.expiresAt.map { String(Self.millis($0)) } ?? ""),
                        .init(placementFeedWindowMillis),
                        current.job.state == .queued && current.job.placement == nil ? "1" : "0",
                    ])
            }
            if written.int == 1 {
                jobBodies.remember(next, text: body, key: id.rawValue)
                if current.job.state != next.state {
                    try await index(
                        id, sequence: current.sequence, tenant: next.spec.tenant, from: current.job.state,
                        to: next.state)
                }
                return transition
            }
        }
        throw StoreError.unavailable("job \(id) kept changing under \(Self.maxRaces) attempts to update it; try again")
    }

    /// Keeps the list indexes (another slot, so not part of the atomic write) in step with a state change.
    func index(_ id: JobID, sequence: Int, tenant: TenantID, from old: JobState?, to new: JobState) async throws {
        var commands: [[RESPArgument]] = [
            ["ZADD", .init(keys.allJobs), .init(sequence), .init(id.rawValue)],
            ["ZADD", .init(keys.state(new)), .init(sequence), .init(id.rawValue)],
            ["ZADD", .init(keys.state(new, tenant: tenant)), .init(sequence), .init(id.rawValue)],
        ]
        if let old, old != new {
            commands.append(["ZREM", .init(keys.state(old)), .init(id.rawValue)])
            commands.append(["ZREM", .init(keys.state(old, tenant: tenant)), .init(id.rawValue)])
        }
        for result in try await client.pipeline(commands) { _ = try result.mapError(StoreError.from).get() }
    }

    func readyKey(_ job: Job) -> String { keys.ready(shard: keys.shard(of: job.id), pool: job.spec.pool) }

    /// Lower scores are claimed first: higher priority, then earlier submission.
    func readyScore(priority: Int, sequence: Int) -> Int { (100 - priority) * 10_000_000_000_000 + sequence }

    func generateID(inShard shard: Int) -> JobID {
        while true {
            let id = JobID.generate()
            if keys.shard(of: id) == shard { return id }
        }
    }

    /// Sends commands in one pipeline; any failure is a store error.
    func pipelined(_ commands: [[RESPArgument]]) async throws -> [RESPValue] {
        do {
            return try await client.pipeline(commands).map { try $0.mapError(StoreError.from).get() }
        } catch let error as RedisError {
            throw StoreError.from(error)
        }
    }

    /// Maps client failures to store errors the API turns into 503s.
    @discardableResult
    func call(_ body: () async throws -> RESPValue) async throws -> RESPValue {
        do {
            return try await body()
        } catch let error as RedisError {
            throw StoreError.from(error)
        }
    }
}

extension StoreError {
    static func from(_ error: RedisError) -> StoreError {
        .unavailable(String(describing: error))
    }
}

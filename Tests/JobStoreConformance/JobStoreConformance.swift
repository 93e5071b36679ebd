import Foundation
import SpoolCore
import Testing

/// Behaviour every `JobStore` must show, written against the protocol so that each implementation (SQLite now,
/// Redis later) runs the same checks. A store under test must be fresh (empty) and built with `lifecycle`, whose
/// retry policy the checks count on. Time is injected: every check passes explicit dates, so nothing sleeps.
public enum JobStoreConformance {
    public enum Check: String, CaseIterable, Sendable {
        case submitRoundTrip
        case idempotentSubmit
        case idempotentSubmitConcurrent
        case idempotencyIsPerTenant
        case claimOrder
        case claimPools
        case claimRespectsBackoff
        case claimAtBackoffBoundary
        case concurrentClaimers
        case succeedWithCurrentLease
        case staleLeaseRefused
        case failRetriesThenFails
        case cancel
        case heartbeatReplies
        case recoverExpiredLeases
        case recoverDeadWorkers
        case pagination
        case listFilters
        case countByState
        case workers
        case ping
        case placementCommitsOnTheVersionRead
        case placedJobsGoOnlyToTheirWorker
        case placementLifecycle
        case placementExplanations
        case placementPathsRoundTrip
        case degradedJobsMoveQueues
        case movedJobsChangeQueues
        case destroyedPoolsJobsFail
        case poolSpecs
        case scalingDecisions
        case demandHistory
        case tenantsAndUsage
        case idempotencyHoldsForADay
        case sessionsExpire
        case webhookOutbox
        case deduplicatedJobsKeepTheirSource
        case queuedQuotaIsAtomic
        case expiryDeletesOnlyFinishedExpiredJobs
        case segmentedJobsWaitForTheirTasks
        case attemptUsageAddsUp
    }

    /// Three attempts with 2 s, 4 s backoff: small enough to walk through in a test.
    public static let lifecycle = JobLifecycle(
        retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: .seconds(2), maxDelay: .seconds(60)))

    /// A start time with a fractional part, so a store that rounds dates fails the equality checks.
    public static let t0 = Date(timeIntervalSince1970: 1_750_000_000.123_456_7)
    public static let leaseDuration: Duration = .seconds(30)

    public static func run(_ check: Check, on store: any JobStore) async throws {
        switch check {
        case .submitRoundTrip: try await submitRoundTrip(store)
        case .idempotentSubmit: try await idempotentSubmit(store)
        case .idempotentSubmitConcurrent: try await idempotentSubmitConcurrent(store)
        case .idempotencyIsPerTenant: try await idempotencyIsPerTenant(store)
        case .claimOrder: try await claimOrder(store)
        case .claimPools: try await claimPools(store)
        case .claimRespectsBackoff: try await claimRespectsBackoff(store)
        case .claimAtBackoffBoundary: try await claimAtBackoffBoundary(store)
        case .concurrentClaimers: try await concurrentClaimers(store)
        case .succeedWithCurrentLease: try await succeedWithCurrentLease(store)
        case .staleLeaseRefused: try await staleLeaseRefused(store)
        case .failRetriesThenFails: try await failRetriesThenFails(store)
        case .cancel: try await cancel(store)
        case .heartbeatReplies: try await heartbeatReplies(store)
        case .recoverExpiredLeases: try await recoverExpiredLeases(store)
        case .recoverDeadWorkers: try await recoverDeadWorkers(store)
        case .pagination: try await pagination(store)
        case .listFilters: try await listFilters(store)
        case .countByState: try await countByState(store)
        case .workers: try await workers(store)
        case .ping: try await store.ping()
        case .placementCommitsOnTheVersionRead: try await placementCommitsOnTheVersionRead(store)
        case .placedJobsGoOnlyToTheirWorker: try await placedJobsGoOnlyToTheirWorker(store)
        case .placementLifecycle: try await placementLifecycle(store)
        case .placementPathsRoundTrip: try await placementPathsRoundTrip(store)
        case .placementExplanations: try await placementExplanations(store)
        case .degradedJobsMoveQueues: try await degradedJobsMoveQueues(store)
        case .movedJobsChangeQueues: try await movedJobsChangeQueues(store)
        case .destroyedPoolsJobsFail: try await destroyedPoolsJobsFail(store)
        case .poolSpecs: try await poolSpecs(store)
        case .scalingDecisions: try await scalingDecisions(store)
        case .demandHistory: try await demandHistory(store)
        case .tenantsAndUsage: try await tenantsAndUsage(store)
        case .idempotencyHoldsForADay: try await idempotencyHoldsForADay(store)
        case .sessionsExpire: try await sessionsExpire(store)
        case .webhookOutbox: try await webhookOutbox(store)
        case .deduplicatedJobsKeepTheirSource: try await deduplicatedJobsKeepTheirSource(store)
        case .queuedQuotaIsAtomic: try await queuedQuotaIsAtomic(store)
        case .expiryDeletesOnlyFinishedExpiredJobs: try await expiryDeletesOnlyFinishedExpiredJobs(store)
        case .segmentedJobsWaitForTheirTasks: try await segmentedJobsWaitForTheirTasks(store)
        case .attemptUsageAddsUp: try await attemptUsageAddsUp(store)
        }
    }

    /// Runs every check, each on a fresh store.
    public static func runAll(makeStore: () async throws -> any JobStore) async throws {
        for check in Check.allCases {
            try await run(check, on: try await makeStore())
        }
    }

    // MARK: - Fixtures

    public static func spec(
        tenant: TenantID = .default, priority: Int = 50, pool: String? = nil, key: String? = nil,
        input: String = "/media/in.mp4"
    ) -> JobSpec {
        JobSpec(
            tenant: tenant, input: .file(path: input),
            outputs: [
                OutputSpec(
                    name: "720p", format: .mp4(video: VideoSettings(height: 720, crf: 23), audio: AudioSettings())),
                OutputSpec(name: "thumbs", format: .thumbnails(everySeconds: 5, count: nil, height: 180)),
            ],
            priority: priority, pool: pool, idempotencyKey: key, metadata: ["source": "conformance"])
    }

    public static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    public static func worker(_ name: String) -> WorkerID { WorkerID(rawValue: "wrk_cpu_" + name) }

    public static func claim(
        _ store: any JobStore, by name: String = "a", pool: String = "cpu", acceptsUnpinned: Bool = true,
        at seconds: Double = 1
    ) async throws -> Job? {
        try await store.claimNext(
            worker: worker(name), pool: pool, acceptsUnpinned: acceptsUnpinned, leaseDuration: leaseDuration,
            now: at(seconds))
    }

    static let output = OutputResult(
        name: "720p", kind: .mp4, path: "720p.mp4", files: ["720p.mp4"], codec: "h264", width: 1280, height: 720,
        durationSeconds: 10.5, sizeBytes: 1_234_567, ssim: 0.987)

    /// Runs `body` and returns the `LifecycleError` it threw as `StoreError.lifecycle`, recording an issue if it
    /// threw anything else or nothing.
    static func lifecycleError(
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
    ) async -> LifecycleError? {
        do {
            try await body()
            Issue.record("expected StoreError.lifecycle, nothing was thrown", sourceLocation: sourceLocation)
        } catch StoreError.lifecycle(let error) {
            return error
        } catch {
            Issue.record("expected StoreError.lifecycle, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    // MARK: - Segments

    /// A split job records its tasks, waits holding no worker (invisible to claimers until its recheck), its tasks
    /// run and commit on their own (a preempted one goes back to the queue while finished ones stay finished), and
    /// the last one's wake-up makes it claimable at once, with its plan intact.
    static func segmentedJobsWaitForTheirTasks(_ store: any JobStore) async throws {
        var parentSpec = spec(priority: 60)
        parentSpec.segmenting = SegmentingRequest(mode: .on, seconds: 10)
        let parent = try await store.submit(parentSpec, now: t0).job
        let planning = try #require(try await claim(store, by: "planner", at: 1))
        #expect(planning.id == parent.id)
        let lease = try #require(planning.currentLease)

        let grid = AudioGrid(start: 0, sampleRate: 48_000)
        let tasks = SegmentPlanner.tasks(
            parent: parent.id, starts: [0, 10, 20], frames: [250, 250, 120], outputs: parentSpec.outputs, audio: grid)
        // Three video pieces, three audio pieces and the companion (the outputs ask for thumbnails).
        #expect(tasks.count == 7)
        var records: [Segmentation.TaskRecord] = []
        for task in tasks {
            let (job, created) = try await store.submit(parentSpec.segmentTaskSpec(task, pool: "cpu"), now: at(1.5))
            #expect(created)
            #expect(job.spec.segment == task && job.spec.pool == "cpu" && job.spec.degradation == .forbid)
            records.append(Segmentation.TaskRecord(task: task, job: job.id))
        }
        // Planning again (after the planner died) finds the same tasks.
        let again = try await store.submit(parentSpec.segmentTaskSpec(tasks[0], pool: "cpu"), now: at(1.6))
        #expect(!again.created && again.job.id == records[0].job)

        // Tasks are the job's own work: a queued-jobs quota does not count them.
        let counted = try await store.submit(spec(key: "beside-the-tasks"), maxQueued: 1, now: at(1.7))
        #expect(counted.created)
        try await store.apply(.cancel, to: counted.job.id, now: at(1.8))

        let segmentation = Segmentation(starts: [0, 10, 20], inputStart: 0, tasks: records, audioGrid: grid)
        let recorded = try await store.apply(.recordSegmentation(lease, segmentation), to: parent.id, now: at(2))
        #expect(recorded.job.state == .running)
        let waiting = try await store.apply(.awaitSegments(lease, until: at(40)), to: parent.id, now: at(3)).job
        #expect(waiting.state == .queued && waiting.worker == nil && waiting.failures == 0)
        #expect(waiting.notBefore == at(40))
        #expect(try await store.job(parent.id)?.segmentation == segmentation)

        // Only tasks are claimable while the job waits.
        var finished: Set<JobID> = []
        let first = try #require(try await claim(store, by: "a", at: 4))
        let second = try #require(try await claim(store, by: "b", at: 4))
        #expect(first.spec.segment != nil && second.spec.segment != nil)
        try await store.apply(.succeed(try #require(first.currentLease), outputs: [output]), to: first.id, now: at(5))
        finished.insert(first.id)
        let evicted = try await store.apply(.preempt(reason: "a realtime job"), to: second.id, now: at(5)).job
        #expect(evicted.state == .queued && evicted.evictions == 1 && evicted.failures == 0)
        #expect(try await store.job(first.id)?.state == .succeeded)
        while let next = try await claim(store, by: "a", at: 6) {
            #expect(next.id != parent.id, "the waiting job was claimed before its recheck")
            #expect(!finished.contains(next.id), "a finished task ran again")
            try await store.apply(.succeed(try #require(next.currentLease), outputs: [output]), to: next.id, now: at(7))
            finished.insert(next.id)
        }
        #expect(finished == Set(records.map(\.job)))
        #expect(try await store.job(second.id)?.attempt == 2)

        // The last task's wake-up: claimable now, plan intact; a job that was not split cannot be woken.
        try await store.apply(.segmentsReady, to: parent.id, now: at(8))
        let joining = try #require(try await claim(store, by: "joiner", at: 9))
        #expect(joining.id == parent.id && joining.attempt == 2 && joining.segmentation == segmentation)
        let plain = try await store.submit(spec(), now: at(9)).job
        let refused = await lifecycleError { try await store.apply(.segmentsReady, to: plain.id, now: at(10)) }
        #expect(refused != nil)
    }

    // MARK: - Submit

    static func submitRoundTrip(_ store: any JobStore) async throws {
        let (job, created) = try await store.submit(spec(priority: 70, pool: "cuda"), now: t0)
        #expect(created)
        #expect(job.state == .queued)
        #expect(job.attempt == 0)
        #expect(job.createdAt == t0)
        #expect(job.notBefore == t0)
        #expect(try await store.job(job.id) == job)
        #expect(try await store.job(JobID(rawValue: "job_missing")) == nil)

        // A job with every optional field filled survives the trip too.
        let claimed = try #require(try await claim(store, pool: "cuda"))
        let progress = TranscodeProgress(fraction: 0.25, fps: 59.94, speed: 1.7)
        _ = try await store.heartbeat(
            try #require(claimed.currentLease), progress: progress, leaseDuration: leaseDuration, now: at(2.5))
        let transition = try await store.apply(
            .fail(
                try #require(claimed.currentLease),
                JobError(code: .stalled, message: "no progress", stderrTail: ["frame= 10"])),
            to: job.id, now: at(3.75))
        #expect(try await store.job(job.id) == transition.job)
    }

    static func idempotentSubmit(_ store: any JobStore) async throws {
        let first = try await store.submit(spec(key: "order-1"), now: t0)
        let second = try await store.submit(spec(priority: 99, key: "order-1"), now: at(5))
        #expect(first.created)
        #expect(!second.created)
        #expect(second.job == first.job)
        let third = try await store.submit(spec(key: "order-2"), now: at(6))
        #expect(third.created)
        // Without a key every submit is a new job.
        let a = try await store.submit(spec(), now: at(7))
        let b = try await store.submit(spec(), now: at(7))
        #expect(a.job.id != b.job.id)
        #expect(try await store.countByState()[.queued] == 4)
    }

    static func idempotentSubmitConcurrent(_ store: any JobStore) async throws {
        let results = try await withThrowingTaskGroup(of: (id: JobID, created: Bool).self) { group in
            for index in 0..<20 {
                group.addTask {
                    let result = try await store.submit(spec(key: "same"), now: at(Double(index)))
                    return (result.job.id, result.created)
                }
            }
            return try await group.reduce(into: [(id: JobID, created: Bool)]()) { $0.append($1) }
        }
        #expect(results.count == 20)
        #expect(results.filter(\.created).count == 1)
        #expect(Set(results.map(\.id)).count == 1)
        #expect(try await store.list(JobFilter(limit: 500)).jobs.count == 1)
    }

    static func idempotencyIsPerTenant(_ store: any JobStore) async throws {
        let acme = try await store.submit(spec(tenant: TenantID(rawValue: "acme"), key: "k"), now: t0)
        let globex = try await store.submit(spec(tenant: TenantID(rawValue: "globex"), key: "k"), now: t0)
        #expect(acme.created && globex.created)
        #expect(acme.job.id != globex.job.id)
        let again = try await store.submit(spec(tenant: TenantID(rawValue: "acme"), key: "k"), now: at(1))
        #expect(!again.created)
        #expect(again.job.id == acme.job.id)
    }

    /// Runs a submission that the queued-jobs quota should refuse, and returns the violation it was refused with.
    static func quotaRefusal(
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> (job: Job, created: Bool)
    ) async -> QuotaViolation? {
        do {
            let result = try await body()
            Issue.record("expected StoreError.quotaExceeded, got \(result)", sourceLocation: sourceLocation)
        } catch StoreError.quotaExceeded(let violation) {
            return violation
        } catch {
            Issue.record("expected StoreError.quotaExceeded, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    static func queuedQuotaIsAtomic(_ store: any JobStore) async throws {
        let acme = TenantID(rawValue: "acme")
        // 40 distinct submissions at once against a quota of 10: the count and the insert are one step, so exactly
        // 10 get in.
        let outcomes = try await withThrowingTaskGroup(of: (key: String, job: JobID?).self) { group in
            for index in 0..<40 {
                group.addTask {
                    let key = "quota-\(index)"
                    do {
                        let result = try await store.submit(
                            spec(tenant: acme, key: key, input: "/media/\(index).mp4"), maxQueued: 10,
                            now: at(Double(index) / 100))
                        #expect(result.created)
                        return (key, result.job.id)
                    } catch StoreError.quotaExceeded(let violation) {
                        #expect(violation.quota == "max_queued" && violation.limit == 10 && violation.current >= 10)
                        #expect(!violation.hard)
                        return (key, nil)
                    }
                }
            }
            return try await group.reduce(into: [(key: String, job: JobID?)]()) { $0.append($1) }
        }
        let created = outcomes.filter { $0.job != nil }
        #expect(created.count == 10)
        #expect(outcomes.count - created.count == 30)
        #expect(try await store.countByState(tenant: acme)[.queued] == 10)
        let listed = try await store.list(JobFilter(tenant: acme, limit: 500)).jobs
        #expect(Set(listed.map(\.id)) == Set(created.compactMap(\.job)))

        // A replay of a created key is not a new job, so the quota does not refuse it.
        let kept = try #require(created.first)
        let replay = try await store.submit(spec(tenant: acme, key: kept.key), maxQueued: 10, now: at(1))
        #expect(!replay.created && replay.job.id == kept.job)
        // A refused key wrote nothing: submitting it again is refused again, not replayed.
        let refusedKey = try #require(outcomes.first { $0.job == nil }).key
        let again = await quotaRefusal {
            try await store.submit(spec(tenant: acme, key: refusedKey), maxQueued: 10, now: at(1))
        }
        #expect(again?.current == 10)
        _ = await quotaRefusal { try await store.submit(spec(tenant: acme), maxQueued: 10, now: at(1)) }

        // Another tenant has its own count.
        let globex = TenantID(rawValue: "globex")
        #expect(try await store.submit(spec(tenant: globex), maxQueued: 10, now: at(1)).created)

        // A job that leaves the queue makes room for one more: claimed (the oldest, acme's) or cancelled.
        let claimed = try #require(try await claim(store, at: 2))
        #expect(claimed.spec.tenant == acme)
        #expect(try await store.submit(spec(tenant: acme), maxQueued: 10, now: at(3)).created)
        _ = await quotaRefusal { try await store.submit(spec(tenant: acme), maxQueued: 10, now: at(3)) }
        let queued = try #require(try await store.list(JobFilter(tenant: acme, state: .queued, limit: 1)).jobs.first)
        try await store.apply(.cancel, to: queued.id, now: at(4))
        #expect(try await store.submit(spec(tenant: acme), maxQueued: 10, now: at(5)).created)
        _ = await quotaRefusal { try await store.submit(spec(tenant: acme), maxQueued: 10, now: at(5)) }
        // Without a quota nothing is counted.
        #expect(try await store.submit(spec(tenant: acme), now: at(6)).created)

        // Jobs queued before the tenant had a quota count against it, and their keys still replay.
        let initech = TenantID(rawValue: "initech")
        let before = try await store.submit(spec(tenant: initech, key: "before"), now: at(7))
        for _ in 0..<4 { _ = try await store.submit(spec(tenant: initech), now: at(7)) }
        #expect(try await store.submit(spec(tenant: initech), maxQueued: 6, now: at(8)).created)
        let over = await quotaRefusal { try await store.submit(spec(tenant: initech), maxQueued: 6, now: at(8)) }
        #expect(over?.current == 6)
        let replayed = try await store.submit(spec(tenant: initech, key: "before"), maxQueued: 6, now: at(8))
        #expect(!replayed.created && replayed.job.id == before.job.id)
    }

    // MARK: - Claim

    static func claimOrder(_ store: any JobStore) async throws {
        let low = try await store.submit(spec(priority: 10), now: at(0)).job
        let highOld = try await store.submit(spec(priority: 90), now: at(1)).job
        let middle = try await store.submit(spec(priority: 50), now: at(2)).job
        let highNew = try await store.submit(spec(priority: 90), now: at(3)).job
        var order: [JobID] = []
        while let job = try await claim(store, at: 10) { order.append(job.id) }
        #expect(order == [highOld.id, highNew.id, middle.id, low.id])
    }

    static func claimPools(_ store: any JobStore) async throws {
        let cuda = try await store.submit(spec(priority: 40, pool: "cuda"), now: at(0)).job
        let anyPool = try await store.submit(spec(priority: 60), now: at(1)).job
        let cpu = try await store.submit(spec(priority: 50, pool: "cpu"), now: at(2)).job

        // A claimer that takes only its own pool sees neither the unpinned job nor another pool's.
        let strict = try #require(try await claim(store, by: "c", pool: "cpu", acceptsUnpinned: false, at: 5))
        #expect(strict.id == cpu.id)
        #expect(try await claim(store, by: "c", pool: "cpu", acceptsUnpinned: false, at: 5) == nil)

        // One that accepts unpinned work weighs both by priority, and never takes another pool's job.
        let first = try #require(try await claim(store, by: "g", pool: "cuda", acceptsUnpinned: true, at: 6))
        let second = try #require(try await claim(store, by: "g", pool: "cuda", acceptsUnpinned: true, at: 6))
        #expect(first.id == anyPool.id)
        #expect(second.id == cuda.id)
        #expect(try await claim(store, by: "g", pool: "cuda", acceptsUnpinned: true, at: 6) == nil)

        #expect(first.state == .running)
        #expect(first.attempt == 1)
        #expect(first.pool == "cuda")
        #expect(first.worker == worker("g"))
        #expect(first.leaseExpiresAt == at(6).addingTimeInterval(30))
        #expect(first.startedAt == at(6))
        #expect(try await store.job(first.id) == first)
    }

    static func claimRespectsBackoff(_ store: any JobStore) async throws {
        let job = try await store.submit(spec(), now: t0).job
        let claimed = try #require(try await claim(store, at: 1))
        let failed = try await store.apply(
            .fail(try #require(claimed.currentLease), JobError(code: .transcodeFailed, message: "exit 1")),
            to: job.id, now: at(10))
        #expect(failed.job.state == .queued)
        #expect(failed.job.notBefore == at(12))
        // A job in backoff is invisible to claimers, and does not hide the jobs behind it.
        let other = try await store.submit(spec(priority: 1), now: at(11)).job
        #expect(try await claim(store, at: 11.5)?.id == other.id)
        #expect(try await claim(store, at: 11.9) == nil)
        let retried = try #require(try await claim(store, at: 12))
        #expect(retried.id == job.id)
        #expect(retried.attempt == 2)
        #expect(retried.failures == 1)
    }

    /// Stores index dates as seconds since 1970, where two adjacent `Date` values can read the same. One tick
    /// before the backoff ends the job must still be invisible, and asking must not fail with `notReady`.
    static func claimAtBackoffBoundary(_ store: any JobStore) async throws {
        func tick(before date: Date) -> Date {
            Date(timeIntervalSinceReferenceDate: date.timeIntervalSinceReferenceDate.nextDown)
        }
        // A failure time, a few ticks after 10 s, whose backoff end collides with the tick before it in seconds
        // since 1970 (the low bits decide, so walk tick by tick).
        let candidates = sequence(first: at(10)) {
            Date(timeIntervalSinceReferenceDate: $0.timeIntervalSinceReferenceDate.nextUp)
        }
        let failAt = try #require(
            candidates.prefix(16).first { failAt in
                let end = failAt.addingTimeInterval(2)
                return tick(before: end).timeIntervalSince1970 == end.timeIntervalSince1970
            })
        let job = try await store.submit(spec(), now: t0).job
        let lease = try #require(try await claim(store, at: 1)?.currentLease)
        let failed = try await store.apply(
            .fail(lease, JobError(code: .transcodeFailed, message: "exit 1")), to: job.id, now: failAt)
        let end = failed.job.notBefore
        func claimAt(_ now: Date) async throws -> Job? {
            try await store.claimNext(
                worker: worker("a"), pool: "cpu", acceptsUnpinned: true, leaseDuration: leaseDuration, now: now)
        }
        #expect(try await claimAt(tick(before: end)) == nil)
        #expect(try await claimAt(end)?.id == job.id)
    }

    static func concurrentClaimers(_ store: any JobStore) async throws {
        var submitted: Set<JobID> = []
        for index in 0..<50 {
            submitted.insert(try await store.submit(spec(priority: index % 7), now: at(Double(index))).job.id)
        }
        let claims = try await withThrowingTaskGroup(of: [Lease].self) { group in
            for claimer in 0..<8 {
                group.addTask {
                    var mine: [Lease] = []
                    while let job = try await claim(store, by: "c\(claimer)", at: 100) {
                        mine.append(try #require(job.currentLease))
                    }
                    return mine
                }
            }
            return try await group.reduce(into: [Lease]()) { $0 += $1 }
        }
        #expect(claims.count == 50)
        #expect(Set(claims.map(\.job)) == submitted)
        #expect(claims.allSatisfy { $0.attempt == 1 })
        #expect(try await store.countByState()[.running] == 50)
    }

    // MARK: - Lifecycle through the store

    static func succeedWithCurrentLease(_ store: any JobStore) async throws {
        let job = try await store.submit(spec(), now: t0).job
        let claimed = try #require(try await claim(store))
        let lease = try #require(claimed.currentLease)
        let transition = try await store.apply(.succeed(lease, outputs: [output]), to: job.id, now: at(20))
        #expect(transition.effects == [.publishOutputs(attempt: 1)])
        #expect(transition.job.state == .succeeded)
        #expect(transition.job.outputs == [output])
        #expect(transition.job.finishedAt == at(20))
        #expect(try await store.job(job.id) == transition.job)
        // Finished work is never claimed again.
        #expect(try await claim(store, at: 100) == nil)
    }

    static func staleLeaseRefused(_ store: any JobStore) async throws {
        let job = try await store.submit(spec(), now: t0).job
        let first = try #require(try await claim(store, by: "old", at: 1))
        let recovered = try await store.recoverLeases(now: at(40), deadWorkers: [])
        #expect(recovered.map(\.job.id) == [job.id])
        let second = try #require(try await claim(store, by: "new", at: 41))
        #expect(second.attempt == 2)

        let staleLease = try #require(first.currentLease)
        let error = await lifecycleError {
            try await store.apply(.succeed(staleLease, outputs: [output]), to: job.id, now: at(42))
        }
        #expect(error == .staleLease(current: 2, presented: 1))
        let handBackError = await lifecycleError {
            try await store.apply(.handBack(staleLease), to: job.id, now: at(42))
        }
        #expect(handBackError == .staleLease(current: 2, presented: 1))

        // The refused writes changed nothing: the new attempt is intact and can finish.
        #expect(try await store.job(job.id) == second)
        let done = try await store.apply(
            .succeed(try #require(second.currentLease), outputs: [output]), to: job.id, now: at(43))
        #expect(done.job.state == .succeeded)
    }

    static func failRetriesThenFails(_ store: any JobStore) async throws {
        let job = try await store.submit(spec(), now: t0).job
        let error = JobError(code: .transcodeFailed, message: "ffmpeg exited 1", stderrTail: ["Conversion failed!"])
        var now = 1.0
        for attempt in 1...3 {
            let claimed = try #require(try await claim(store, at: now), "attempt \(attempt) should be claimable")
            #expect(claimed.attempt == attempt)
            let transition = try await store.apply(
                .fail(try #require(claimed.currentLease), error), to: job.id, now: at(now + 1))
            #expect(transition.effects == [.discardAttempt(attempt: attempt)])
            #expect(transition.job.failures == attempt)
            if attempt < 3 {
                #expect(transition.job.state == .queued)
                // 2 s after the first failure, 4 s after the second.
                #expect(transition.job.notBefore == at(now + 1 + Double(2 << (attempt - 1))))
                now = now + 1 + Double(2 << (attempt - 1))
            } else {
                #expect(transition.job.state == .failed)
                #expect(transition.job.finishedAt == at(now + 1))
                #expect(transition.job.error == error)
            }
        }
        #expect(try await store.job(job.id)?.state == .failed)
        #expect(try await claim(store, at: 1000) == nil)

        // An error that retrying cannot fix fails the job on the first attempt.
        let bad = try await store.submit(spec(), now: at(2000)).job
        let claimed = try #require(try await claim(store, at: 2001))
        let final = try await store.apply(
            .fail(try #require(claimed.currentLease), JobError(code: .invalidInput, message: "not a video")),
            to: bad.id, now: at(2002))
        #expect(final.job.state == .failed)
        #expect(final.job.failures == 1)
    }

    static func cancel(_ store: any JobStore) async throws {
        let queued = try await store.submit(spec(), now: t0).job
        let cancelledQueued = try await store.apply(.cancel, to: queued.id, now: at(1))
        #expect(cancelledQueued.job.state == .cancelled)
        #expect(cancelledQueued.effects.isEmpty)
        #expect(try await claim(store, at: 2) == nil)

        let running = try await store.submit(spec(), now: at(3)).job
        let claimed = try #require(try await claim(store, at: 4))
        #expect(claimed.id == running.id)
        let cancelledRunning = try await store.apply(.cancel, to: running.id, now: at(5))
        #expect(cancelledRunning.effects == [.stopAttempt(attempt: 1), .discardAttempt(attempt: 1)])
        #expect(try await store.job(running.id) == cancelledRunning.job)

        let again = await lifecycleError { try await store.apply(.cancel, to: running.id, now: at(6)) }
        #expect(again == .invalidTransition(from: .cancelled, event: "cancel"))

        // A worker that finishes after the cancel cannot resurrect the job.
        let late = await lifecycleError {
            try await store.apply(
                .succeed(try #require(claimed.currentLease), outputs: [output]), to: running.id, now: at(7))
        }
        #expect(late == .staleLease(current: 1, presented: 1))

        let missing = JobID(rawValue: "job_missing")
        await #expect(throws: StoreError.jobNotFound(missing)) {
            try await store.apply(.cancel, to: missing, now: at(8))
        }
    }

    static func heartbeatReplies(_ store: any JobStore) async throws {
        func beat(_ lease: Lease, _ progress: TranscodeProgress? = nil, at seconds: Double) async throws
            -> HeartbeatReply
        {
            try await store.heartbeat(lease, progress: progress, leaseDuration: leaseDuration, now: at(seconds))
        }
        let job = try await store.submit(spec(), now: t0).job
        let lease = try #require(try await claim(store, by: "a", at: 1)?.currentLease)

        let progress = TranscodeProgress(fraction: 0.5, fps: 120, speed: 4)
        #expect(try await beat(lease, progress, at: 10) == .proceed)
        let extended = try #require(try await store.job(job.id))
        #expect(extended.leaseExpiresAt == at(40))
        #expect(extended.progress == progress)
        #expect(extended.updatedAt == at(10))
        // Without progress the last reported one stays.
        #expect(try await beat(lease, at: 20) == .proceed)
        #expect(try await store.job(job.id)?.progress == progress)

        var otherAttempt = lease
        otherAttempt.attempt = 2
        #expect(try await beat(otherAttempt, at: 21) == .leaseLost)
        var otherWorker = lease
        otherWorker.worker = worker("b")
        #expect(try await beat(otherWorker, at: 21) == .leaseLost)
        // Refused heartbeats leave the lease alone.
        #expect(try await store.job(job.id)?.leaseExpiresAt == at(50))

        // Expired and redelivered: the old holder has lost it, the new one proceeds.
        _ = try await store.recoverLeases(now: at(60), deadWorkers: [])
        let newLease = try #require(try await claim(store, by: "b", at: 61)?.currentLease)
        #expect(try await beat(lease, at: 62) == .leaseLost)
        #expect(try await beat(newLease, at: 62) == .proceed)

        try await store.apply(.cancel, to: job.id, now: at(63))
        #expect(try await beat(newLease, at: 64) == .cancelled)

        // A finished job's lease is over.
        let other = try await store.submit(spec(), now: at(70)).job
        let otherLease = try #require(try await claim(store, at: 71)?.currentLease)
        try await store.apply(.succeed(otherLease, outputs: []), to: other.id, now: at(72))
        #expect(try await beat(otherLease, at: 73) == .leaseLost)

        let missing = Lease(job: JobID(rawValue: "job_missing"), worker: worker("a"), attempt: 1)
        await #expect(throws: StoreError.jobNotFound(missing.job)) { try await beat(missing, at: 74) }
    }

    // MARK: - Lease recovery

    static func recoverExpiredLeases(_ store: any JobStore) async throws {
        let short = try await store.submit(spec(priority: 90), now: t0).job
        let long = try await store.submit(spec(priority: 10), now: t0).job
        _ = try await store.claimNext(
            worker: worker("a"), pool: "cpu", acceptsUnpinned: true, leaseDuration: .seconds(10), now: at(1))
        _ = try await store.claimNext(
            worker: worker("b"), pool: "cpu", acceptsUnpinned: true, leaseDuration: .seconds(60), now: at(1))

        // A lease that ends exactly now is still held.
        #expect(try await store.recoverLeases(now: at(11), deadWorkers: []).isEmpty)

        let recovered = try await store.recoverLeases(now: at(30), deadWorkers: [])
        #expect(recovered.map(\.job.id) == [short.id])
        let transition = try #require(recovered.first)
        #expect(transition.effects == [.stopAttempt(attempt: 1), .discardAttempt(attempt: 1)])
        #expect(transition.job.state == .queued)
        #expect(transition.job.failures == 1)
        #expect(transition.job.error?.code == .leaseLost)
        #expect(transition.job.worker == nil)
        #expect(try await store.job(short.id) == transition.job)
        #expect(try await store.job(long.id)?.state == .running)
        // Recovery is idempotent.
        #expect(try await store.recoverLeases(now: at(30), deadWorkers: []).isEmpty)

        // Leases that keep expiring use up the retry budget.
        for round in 2...3 {
            let start = Double(100 * round)
            let job = try #require(try await claim(store, at: start))
            #expect(job.id == short.id)
            let again = try await store.recoverLeases(now: at(start + 31), deadWorkers: [])
            #expect(again.map(\.job.id).contains(short.id))
        }
        let final = try #require(try await store.job(short.id))
        #expect(final.state == .failed)
        #expect(final.failures == 3)
    }

    static func recoverDeadWorkers(_ store: any JobStore) async throws {
        let first = try await store.submit(spec(priority: 90), now: t0).job
        let second = try await store.submit(spec(priority: 10), now: t0).job
        _ = try #require(try await claim(store, by: "dead", at: 1))
        _ = try #require(try await claim(store, by: "alive", at: 1))

        let recovered = try await store.recoverLeases(now: at(2), deadWorkers: [worker("dead"), worker("unknown")])
        #expect(recovered.map(\.job.id) == [first.id])
        #expect(try await store.job(first.id)?.state == .queued)
        #expect(try await store.job(second.id)?.state == .running)
        #expect(try await store.job(second.id)?.worker == worker("alive"))
    }

    // MARK: - Listing

    static func pagination(_ store: any JobStore) async throws {
        var submitted: [JobID] = []
        for index in 0..<25 {
            submitted.append(try await store.submit(spec(), now: at(Double(index))).job.id)
        }
        var pages: [[JobID]] = []
        var cursor: String?
        repeat {
            let page = try await store.list(JobFilter(limit: 10, cursor: cursor))
            pages.append(page.jobs.map(\.id))
            cursor = page.nextCursor
        } while cursor != nil && pages.count < 10
        #expect(pages.map(\.count) == [10, 10, 5])
        let newestFirst = Array(submitted.reversed())
        #expect(pages.flatMap { $0 } == newestFirst)

        // An exactly full last page still ends the listing.
        let twentyFive = try await store.list(JobFilter(limit: 25))
        #expect(twentyFive.jobs.count == 25)
        #expect(twentyFive.nextCursor == nil)

        // Limits are clamped to 1…500.
        let one = try await store.list(JobFilter(limit: 0))
        #expect(one.jobs.map(\.id) == [submitted[24]])
        #expect(one.nextCursor != nil)
        #expect(try await store.list(JobFilter(limit: 10_000)).jobs.count == 25)

        // Jobs submitted while paging do not shift the pages already handed out.
        let page1 = try await store.list(JobFilter(limit: 10))
        _ = try await store.submit(spec(), now: at(100))
        let page2 = try await store.list(JobFilter(limit: 10, cursor: page1.nextCursor))
        #expect(page2.jobs.map(\.id) == Array(newestFirst[10..<20]))
    }

    static func listFilters(_ store: any JobStore) async throws {
        let acme = TenantID(rawValue: "acme")
        var acmeJobs: [JobID] = []
        for index in 0..<12 {
            let tenant = index.isMultiple(of: 2) ? acme : .default
            let job = try await store.submit(spec(tenant: tenant), now: at(Double(index))).job
            if tenant == acme { acmeJobs.append(job.id) }
        }
        // Claim the three oldest: jobs 0 (acme), 1, 2 (acme).
        for _ in 0..<3 { _ = try #require(try await claim(store, at: 50)) }

        let running = try await store.list(JobFilter(state: .running))
        #expect(running.jobs.count == 3)
        #expect(running.jobs.allSatisfy { $0.state == .running })

        var acmeListed: [JobID] = []
        var cursor: String?
        repeat {
            let page = try await store.list(JobFilter(tenant: acme, limit: 4, cursor: cursor))
            acmeListed += page.jobs.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(acmeListed == Array(acmeJobs.reversed()))

        let acmeQueued = try await store.list(JobFilter(tenant: acme, state: .queued))
        #expect(acmeQueued.jobs.map(\.id) == Array(acmeJobs.reversed().prefix(4)))
        #expect(try await store.list(JobFilter(tenant: TenantID(rawValue: "nobody"))).jobs.isEmpty)
        #expect(try await store.list(JobFilter(state: .failed)) == JobPage(jobs: [], nextCursor: nil))
    }

    static func countByState(_ store: any JobStore) async throws {
        #expect(try await store.countByState() == [.queued: 0, .running: 0, .succeeded: 0, .failed: 0, .cancelled: 0])
        for index in 0..<6 { _ = try await store.submit(spec(), now: at(Double(index))) }
        let first = try #require(try await claim(store, at: 10))
        _ = try #require(try await claim(store, at: 10))
        try await store.apply(.succeed(try #require(first.currentLease), outputs: []), to: first.id, now: at(11))
        let queued = try await store.list(JobFilter(state: .queued, limit: 1)).jobs[0]
        try await store.apply(.cancel, to: queued.id, now: at(12))
        #expect(try await store.countByState() == [.queued: 3, .running: 1, .succeeded: 1, .failed: 0, .cancelled: 1])
    }

    // MARK: - Workers

    static func workers(_ store: any JobStore) async throws {
        #expect(try await store.workers().isEmpty)
        var cpu = WorkerRecord(
            id: worker("1"), pool: "cpu", poolKind: .cpu, host: "host-a", pid: 4242, slots: 2, devices: nil,
            startedAt: t0, heartbeatAt: t0)
        let cuda = WorkerRecord(
            id: WorkerID(rawValue: "wrk_cuda_1"), pool: "cuda", poolKind: .cuda, host: "host-b", pid: 7, slots: 4,
            running: [JobID(rawValue: "job_x")], devices: nil, startedAt: at(1), heartbeatAt: at(1))
        try await store.upsertWorker(cpu)
        try await store.upsertWorker(cuda)
        #expect(Set(try await store.workers().map(\.id)) == [cpu.id, cuda.id])

        cpu.heartbeatAt = at(5)
        cpu.running = [JobID(rawValue: "job_y")]
        try await store.upsertWorker(cpu)
        let listed = try await store.workers()
        #expect(listed.count == 2)
        #expect(listed.first { $0.id == cpu.id } == cpu)
        #expect(listed.first { $0.id == cuda.id } == cuda)

        try await store.removeWorker(cpu.id)
        try await store.removeWorker(WorkerID(rawValue: "wrk_never_registered"))
        #expect(try await store.workers() == [cuda])
    }

    // MARK: - Placement

    static func placement(on name: String, token: Int = 1, at seconds: Double = 1) -> JobPlacement {
        JobPlacement(
            worker: worker(name), pool: "cpu", gpu: 0, deviceModel: "NVIDIA L4",
            demand: ResourceDemand(gpuMemoryMiB: 512, encoderSessions: 1, decoderSessions: 1), score: 42.5,
            placedAt: at(seconds), schedulerToken: token)
    }

    static func placementCommitsOnTheVersionRead(_ store: any JobStore) async throws {
        let low = try await store.submit(spec(priority: 10), now: at(0)).job
        let high = try await store.submit(spec(priority: 90), now: at(1)).job
        let later = try await store.submit(spec(priority: 50), now: at(2)).job
        // Pinned to a pool no live worker serves: not the cycle's business.
        let elsewhere = try await store.submit(spec(priority: 99, pool: "gpu-eu"), now: at(2)).job
        var view = try await store.schedulingView(now: at(3), waitingLimit: 10, pools: ["cpu"])
        #expect(view.waiting.map(\.id) == [high.id, later.id, low.id])
        #expect(
            try await store.schedulingView(now: at(3), waitingLimit: 10, pools: ["cpu", "gpu-eu"]).waiting.first?.id
                == elsewhere.id)
        #expect(view.holding.isEmpty)
        #expect(
            try await store.schedulingView(now: at(3), waitingLimit: 2, pools: ["cpu"]).waiting.map(\.id) == [
                high.id, later.id,
            ])

        // The low job changes after the read (cancelled): its placement is stale; the others commit.
        try await store.apply(.cancel, to: low.id, now: at(4))
        let reads = view.waiting
        let outcomes = try await store.commitPlacements(
            reads.map { PlacementCommit($0, placement: placement(on: "a")) }, now: at(5))
        #expect(outcomes == [.committed, .committed, .stale])
        let placed = try #require(try await store.job(high.id))
        #expect(placed.placement == placement(on: "a"))
        #expect(placed.state == .queued)

        // The same read again is stale: the job moved on when it was placed.
        #expect(
            try await store.commitPlacements([PlacementCommit(reads[0], placement: placement(on: "b"))], now: at(6))
                == [.stale])
        view = try await store.schedulingView(now: at(6), waitingLimit: 10, pools: ["cpu"])
        #expect(view.waiting.isEmpty)
        #expect(Set(view.holding.map(\.id)) == [high.id, later.id])
    }

    static func placedJobsGoOnlyToTheirWorker(_ store: any JobStore) async throws {
        let job = try await store.submit(spec(), now: at(0)).job
        let read = try #require(
            try await store.schedulingView(now: at(1), waitingLimit: 5, pools: ["cpu"]).waiting.first)
        #expect(
            try await store.commitPlacements([PlacementCommit(read, placement: placement(on: "a"))], now: at(1)) == [
                .committed
            ])
        // Pull-mode claimers and other workers never take a job placed elsewhere.
        #expect(try await claim(store, by: "b", at: 2) == nil)
        #expect(
            try await store.claimPlaced(worker: worker("b"), pool: "cpu", leaseDuration: leaseDuration, now: at(2))
                == nil)
        let claimed = try #require(
            try await store.claimPlaced(worker: worker("a"), pool: "cpu", leaseDuration: leaseDuration, now: at(2)))
        #expect(claimed.id == job.id && claimed.state == .running && claimed.attempt == 1)
        // The reservation stays on the job while it runs, so the scheduler keeps counting it.
        #expect(claimed.placement == placement(on: "a"))
        let view = try await store.schedulingView(now: at(3), waitingLimit: 5, pools: ["cpu"])
        #expect(view.holding.map(\.id) == [job.id] && view.waiting.isEmpty)
        let lease = try #require(claimed.currentLease)
        try await store.apply(.succeed(lease, outputs: [output]), to: job.id, now: at(4))
        #expect(try await store.job(job.id)?.placement == nil)
        #expect(try await store.schedulingView(now: at(5), waitingLimit: 5, pools: ["cpu"]).holding.isEmpty)
        #expect(
            try await store.claimPlaced(worker: worker("a"), pool: "cpu", leaseDuration: leaseDuration, now: at(5))
                == nil)
    }

    static func placementLifecycle(_ store: any JobStore) async throws {
        let job = try await store.submit(spec(), now: at(0)).job
        var read = try #require(
            try await store.schedulingView(now: at(1), waitingLimit: 5, pools: ["cpu"]).waiting.first)
        _ = try await store.commitPlacements(
            [PlacementCommit(read, placement: placement(on: "a", token: 1))], now: at(1))
        // Its worker died before claiming: the scheduler takes the placement back and the job waits again.
        try await store.apply(.unplace, to: job.id, now: at(2))
        read = try #require(try await store.schedulingView(now: at(3), waitingLimit: 5, pools: ["cpu"]).waiting.first)
        #expect(read.id == job.id)
        #expect(
            try await store.commitPlacements(
                [PlacementCommit(read, placement: placement(on: "b", token: 1))], now: at(3)) == [.committed])
        // A stale leader cannot re-place it; a newer one can.
        await #expect(throws: StoreError.self) {
            try await store.apply(.place(placement(on: "c", token: 1)), to: job.id, now: at(4))
        }
        try await store.apply(.place(placement(on: "c", token: 2)), to: job.id, now: at(4))
        let running = try #require(
            try await store.claimPlaced(worker: worker("c"), pool: "cpu", leaseDuration: leaseDuration, now: at(5)))
        // Preempted by a higher class: back in the queue, no failure counted, the eviction remembered.
        let evicted = try await store.apply(.preempt(reason: "realtime job needs the GPU"), to: job.id, now: at(6)).job
        #expect(evicted.state == .queued && evicted.failures == 0 && evicted.evictions == 1)
        #expect(evicted.placement == nil && evicted.lastEvictedAt == at(6))
        #expect(
            try await store.heartbeat(running.currentLease!, progress: nil, leaseDuration: leaseDuration, now: at(7))
                == .leaseLost)
        let again = try await store.schedulingView(now: at(7), waitingLimit: 5, pools: ["cpu"])
        #expect(again.waiting.map(\.id) == [job.id] && again.holding.isEmpty)
    }

    /// The path the scheduler chose is stored with the placement, also where the GPU and encoder sessions would
    /// imply another (an OpenCL host placement; NVDEC with sessions reserved), and survives the claim.
    static func placementPathsRoundTrip(_ store: any JobStore) async throws {
        let cases: [(path: PlacementPath, gpu: Int?, encoders: Int)] = [
            (.nvenc, 0, 2), (.nvdec, 1, 0), (.opencl, nil, 0), (.cpu, nil, 0), (.nvdec, 0, 1),
        ]
        for (index, entry) in cases.enumerated() {
            let job = try await store.submit(spec(), now: at(Double(index * 10))).job
            let read = try #require(
                try await store.schedulingView(now: at(Double(index * 10 + 1)), waitingLimit: 5, pools: ["cpu"])
                    .waiting.first { $0.id == job.id })
            let name = "p\(index)"
            let placement = JobPlacement(
                worker: worker(name), pool: "cpu", gpu: entry.gpu, deviceModel: entry.gpu.map { _ in "NVIDIA L4" },
                demand: ResourceDemand(gpuMemoryMiB: entry.gpu == nil ? 0 : 256, encoderSessions: entry.encoders),
                score: 10, placedAt: at(Double(index * 10 + 1)), schedulerToken: 1, path: entry.path)
            #expect(
                try await store.commitPlacements(
                    [PlacementCommit(read, placement: placement)], now: at(Double(index * 10 + 1)))
                    == [.committed])
            #expect(try await store.job(job.id)?.placement?.path == entry.path)
            let held = try await store.schedulingView(now: at(Double(index * 10 + 2)), waitingLimit: 5, pools: ["cpu"])
                .holding.first { $0.id == job.id }
            #expect(held?.placement?.path == entry.path)
            let claimed = try #require(
                try await store.claimPlaced(
                    worker: worker(name), pool: "cpu", leaseDuration: leaseDuration, now: at(Double(index * 10 + 3))))
            #expect(claimed.id == job.id && claimed.placement == placement)
            #expect(try await store.job(job.id)?.placement?.path == entry.path)
            let lease = try #require(claimed.currentLease)
            try await store.apply(.succeed(lease, outputs: [output]), to: job.id, now: at(Double(index * 10 + 4)))
        }
    }

    static func placementExplanations(_ store: any JobStore) async throws {
        let job = try await store.submit(spec(), now: at(0)).job
        #expect(try await store.placementExplanation(for: job.id) == nil)
        try await store.savePlacementExplanation(#"{"outcome":"waiting"}"#, for: job.id)
        try await store.savePlacementExplanation(#"{"outcome":"placed"}"#, for: job.id)
        #expect(try await store.placementExplanation(for: job.id) == #"{"outcome":"placed"}"#)
    }

    static func degradedJobsMoveQueues(_ store: any JobStore) async throws {
        let job = try await store.submit(spec(pool: "cuda"), now: at(0)).job
        #expect(try await store.waitingForPlacement(now: at(1), limit: 5, pools: ["cpu"]).isEmpty)
        let moved = try await store.apply(
            .degrade(Degradation(pool: "cpu", encoderSpeed: .faster, reason: "overloaded")), to: job.id, now: at(2)
        ).job
        #expect(moved.spec.pool == "cpu" && moved.encoderSpeed == .faster && moved.degradations == ["overloaded"])
        // What the client asked for is untouched: the same outputs and preset.
        #expect(moved.spec.outputs == job.spec.outputs && moved.spec.preset == job.spec.preset)
        #expect(try await store.job(job.id)?.encoderSpeed == .faster)
        // It now waits in the cpu pool's queue, encoding faster, and no longer in the old one.
        let waiting = try await store.waitingForPlacement(now: at(3), limit: 5, pools: ["cpu"])
        #expect(waiting.map(\.id) == [job.id])
        #expect(waiting.first?.preset == job.spec.preset && waiting.first?.pool == "cpu")
        #expect(waiting.first?.encoderSpeed == .faster && waiting.first?.degradation == .allow)
        #expect(waiting.first?.shape == WorkloadShape(spec: moved.spec))
        #expect(try await store.waitingForPlacement(now: at(3), limit: 5, pools: ["cuda"]).isEmpty)
        #expect(try await claim(store, by: "g", pool: "cuda", acceptsUnpinned: false, at: 4) == nil)
        #expect(try await claim(store, by: "c", pool: "cpu", acceptsUnpinned: false, at: 4)?.id == job.id)
    }

    static func movedJobsChangeQueues(_ store: any JobStore) async throws {
        let job = try await store.submit(spec(pool: "burst"), now: at(0)).job
        #expect(try await store.waitingForPlacement(now: at(1), limit: 5, pools: ["burst"]).map(\.id) == [job.id])
        let moved = try await store.apply(.move(toPool: nil), to: job.id, now: at(2)).job
        #expect(moved.spec.pool == nil && moved.state == .queued)
        // Unpinned now: any pool's reading finds it, the old pool's queue no longer holds it.
        #expect(try await store.waitingForPlacement(now: at(3), limit: 5, pools: []).map(\.id) == [job.id])
        #expect(try await claim(store, by: "b", pool: "burst", acceptsUnpinned: false, at: 4) == nil)
        #expect(try await claim(store, by: "c", pool: "cpu", acceptsUnpinned: true, at: 4)?.id == job.id)
        // Running jobs stay where they are.
        await #expect(throws: StoreError.self) { try await store.apply(.move(toPool: "cpu"), to: job.id, now: at(5)) }
    }

    /// The jobs that named a destroyed pool leave every queue as failed, with the reason; the others stay queued.
    static func destroyedPoolsJobsFail(_ store: any JobStore) async throws {
        let named = try await store.submit(spec(pool: "burst"), now: at(0)).job
        let other = try await store.submit(spec(), now: at(0)).job
        #expect(try await store.failQueuedJobs(of: "burst", now: at(1)) == [named.id])
        let failed = try #require(try await store.job(named.id))
        #expect(failed.state == .failed && failed.error?.code == .unsupported && failed.finishedAt == at(1))
        #expect(try await store.waitingForPlacement(now: at(2), limit: 5, pools: ["burst"]).map(\.id) == [other.id])
        #expect(try await claim(store, by: "b", pool: "burst", acceptsUnpinned: false, at: 2) == nil)
        #expect(try await store.list(JobFilter(state: .failed, limit: 5)).jobs.map(\.id) == [named.id])
        #expect(try await store.countByState()[.failed] == 1)
        #expect(try await claim(store, by: "c", pool: "cpu", acceptsUnpinned: true, at: 3)?.id == other.id)
    }

    static func poolSpecs(_ store: any JobStore) async throws {
        #expect(try await store.pools().isEmpty)
        let burst = PoolSpec(
            name: "burst", kind: .cpu, minWorkers: 0, maxWorkers: 4, instanceType: "c6i.2xlarge", spot: true,
            slotsPerWorker: 2, createdAt: at(0))
        let gpus = PoolSpec(
            name: "l4", kind: .cuda, deviceSelector: DeviceSelector(models: ["L4"], requiresEncoder: true),
            minWorkers: 1, maxWorkers: 8, createdAt: at(1))
        try await store.createPool(gpus)
        try await store.createPool(burst)
        #expect(try await store.pools() == [burst, gpus])
        await #expect(throws: PoolStoreError.exists("burst")) { try await store.createPool(burst) }

        var drained = burst
        drained.phase = .draining
        drained.maxWorkers = 6
        try await store.updatePool(drained)
        #expect(try await store.pool(named: "burst") == drained)
        var ghost = burst
        ghost.name = "ghost"
        await #expect(throws: PoolStoreError.notFound("ghost")) { try await store.updatePool(ghost) }
        #expect(try await store.pool(named: "ghost") == nil)

        try await store.deletePool(named: "burst")
        try await store.deletePool(named: "burst")
        #expect(try await store.pools().map(\.name) == ["l4"])
    }

    static func scalingDecisions(_ store: any JobStore) async throws {
        for index in 0..<5 {
            try await store.recordScalingDecision(
                ScalingRecord(pool: "a", time: at(Double(index)), json: #"{"n":\#(index)}"#), keep: 3)
        }
        try await store.recordScalingDecision(ScalingRecord(pool: "b", time: at(10), json: "{}"), keep: 3)
        let own = try await store.scalingDecisions(pool: "a", limit: 10)
        #expect(own.map(\.json) == [#"{"n":4}"#, #"{"n":3}"#, #"{"n":2}"#])
        #expect(own.first.map { abs($0.time.timeIntervalSince(at(4))) < 0.002 } == true)
        let all = try await store.scalingDecisions(pool: nil, limit: 2)
        #expect(all.map(\.pool) == ["b", "a"])
        #expect(try await store.scalingDecisions(pool: "none", limit: 5).isEmpty)
    }

    /// A pool's demand history: samples in order, a repeated interval replaced, old ones dropped, pools apart.
    static func demandHistory(_ store: any JobStore) async throws {
        #expect(try await store.demandHistory(pool: "a").isEmpty)
        try await store.recordDemand(
            [DemandSample(start: at(900), peak: 3), DemandSample(start: at(1800), peak: 7.5)], pool: "a",
            keepFrom: at(0))
        try await store.recordDemand([DemandSample(start: at(0), peak: 1)], pool: "a", keepFrom: at(0))
        try await store.recordDemand([DemandSample(start: at(900), peak: 99)], pool: "b", keepFrom: at(0))
        #expect(try await store.demandHistory(pool: "a").map(\.peak) == [1, 3, 7.5])
        // The same interval again replaces its sample; a cut-off drops what started before it.
        try await store.recordDemand([DemandSample(start: at(1800), peak: 9)], pool: "a", keepFrom: at(900))
        let history = try await store.demandHistory(pool: "a")
        #expect(history.map(\.peak) == [3, 9])
        #expect(history.first.map { abs($0.start.timeIntervalSince(at(900))) < 0.002 } == true)
        #expect(try await store.demandHistory(pool: "b").map(\.peak) == [99])
    }

    static func tenantsAndUsage(_ store: any JobStore) async throws {
        let acme = Tenant(
            id: TenantID(rawValue: "acme"), keyHash: "hash-1", keyHint: "abcd",
            limits: TenantLimits(maxQueued: 5, requestsPerSecond: 50), createdAt: at(0))
        try await store.createTenant(acme)
        await #expect(throws: TenantStoreError.exists(acme.id)) { try await store.createTenant(acme) }
        #expect(try await store.tenant(keyHash: "hash-1") == acme)
        #expect(try await store.tenant(keyHash: "nope") == nil)

        // A rotated key works at once and the old one stops at once.
        var rotated = acme
        rotated.keyHash = "hash-2"
        try await store.updateTenant(rotated)
        #expect(try await store.tenant(keyHash: "hash-1") == nil)
        #expect(try await store.tenant(keyHash: "hash-2") == rotated)
        #expect(try await store.tenants().map(\.id) == [acme.id])

        _ = try await store.submit(spec(tenant: acme.id), now: at(1))
        _ = try await store.submit(spec(tenant: acme.id), now: at(1))
        _ = try await store.submit(spec(), now: at(1))
        #expect(try await store.countByState(tenant: acme.id)[.queued] == 2)
        #expect(try await store.countByState(tenant: .default)[.queued] == 1)
        let claimed = try #require(try await claim(store, at: 2))
        #expect(try await store.countByState(tenant: claimed.spec.tenant)[.running] == 1)

        #expect(try await store.usage(tenant: acme.id, day: "2026-11-29") == TenantUsage())
        try await store.addUsage(TenantUsage(uploadBytes: 1000), tenant: acme.id, day: "2026-11-29")
        let total = try await store.addUsage(
            TenantUsage(uploadBytes: 24, gpuSeconds: 12.5), tenant: acme.id, day: "2026-11-29")
        #expect(total == TenantUsage(uploadBytes: 1024, gpuSeconds: 12.5))
        #expect(try await store.usage(tenant: acme.id, day: "2026-11-30") == TenantUsage())

        try await store.deleteTenant(acme.id)
        #expect(try await store.tenant(keyHash: "hash-2") == nil)
        await #expect(throws: TenantStoreError.notFound(acme.id)) { try await store.deleteTenant(acme.id) }
    }

    /// A job's usage is the sum over its attempts, the failed one included, and stays on the job as stored; the
    /// per-day counters add every field and answer only the days that have any.
    static func attemptUsageAddsUp(_ store: any JobStore) async throws {
        let job = try await store.submit(spec(), now: at(0)).job
        let first = try #require(try await claim(store, at: 1))
        let gpu = AttemptUsage(
            device: "gpu0 (NVIDIA L4)", gpuSeconds: 60, cpuSeconds: 0, cost: 0.01, energyJoules: 4200)
        let retried = try await store.apply(
            .fail(try #require(first.currentLease), JobError(code: .transcodeFailed, message: "boom"), usage: gpu),
            to: job.id, now: at(61)
        ).job
        #expect(retried.state == .queued && retried.usage?.attempts == 1)
        let second = try #require(try await claim(store, at: 70))
        let cpu = AttemptUsage(device: "cpu", gpuSeconds: 0, cpuSeconds: 120, cost: nil, energyJoules: nil)
        _ = try await store.apply(
            .succeed(try #require(second.currentLease), outputs: [], usage: cpu), to: job.id, now: at(130))
        let usage = try #require(try await store.job(job.id)?.usage)
        #expect(usage.attempts == 2 && usage.gpuSeconds == 60 && usage.cpuSeconds == 120)
        #expect(usage.cost == 0.01 && usage.unpricedAttempts == 1 && usage.energyJoules == 4200)
        #expect(usage.devices.map(\.device) == ["gpu0 (NVIDIA L4)", "cpu"])

        let acme = TenantID(rawValue: "acme")
        try await store.addUsage(
            TenantUsage(gpuSeconds: 60) + TenantUsage(attempt: gpu, finishedJob: false), tenant: acme,
            day: "2026-12-01")
        let day = try await store.addUsage(
            TenantUsage(attempt: cpu, finishedJob: true), tenant: acme, day: "2026-12-01")
        let expected = TenantUsage(
            gpuSeconds: 60, jobs: 1, cpuSeconds: 120, cost: 0.01, pricedAttempts: 1, energyJoules: 4200,
            energyAttempts: 1)
        #expect(day == expected)
        try await store.addUsage(TenantUsage(uploadBytes: 5), tenant: acme, day: "2026-12-03")
        let days = try await store.usage(tenant: acme, days: ["2026-12-01", "2026-12-02", "2026-12-03"])
        #expect(days == ["2026-12-01": expected, "2026-12-03": TenantUsage(uploadBytes: 5)])
        #expect(try await store.usage(tenant: .default, days: ["2026-12-01"]).isEmpty)
    }

    static func idempotencyHoldsForADay(_ store: any JobStore) async throws {
        let first = try await store.submit(spec(key: "daily"), now: at(0))
        #expect(first.created)
        let sameDay = try await store.submit(spec(key: "daily"), now: at(23 * 3600))
        #expect(!sameDay.created && sameDay.job.id == first.job.id)
        let nextDay = try await store.submit(spec(key: "daily"), now: at(24 * 3600 + 1))
        #expect(nextDay.created && nextDay.job.id != first.job.id)
        let again = try await store.submit(spec(key: "daily"), now: at(24 * 3600 + 2))
        #expect(!again.created && again.job.id == nextDay.job.id)
        // The first job is still there, under its own id.
        #expect(try await store.job(first.job.id)?.id == first.job.id)
    }

    static func sessionsExpire(_ store: any JobStore) async throws {
        // Real "now" for the writes, so a store that expires keys by its own clock keeps them through the test.
        let now = Date()
        let session = WebSession(
            tokenHash: "h1", tenant: TenantID(rawValue: "acme"), expiresAt: now.addingTimeInterval(600))
        try await store.saveSession(session, now: now)
        try await store.saveSession(
            WebSession(tokenHash: "admin", tenant: nil, expiresAt: now.addingTimeInterval(600)), now: now)
        #expect(try await store.session(tokenHash: "h1", now: now.addingTimeInterval(60)) == session)
        #expect(try await store.session(tokenHash: "admin", now: now)?.tenant == nil)
        #expect(try await store.session(tokenHash: "h1", now: now.addingTimeInterval(601)) == nil)
        #expect(try await store.session(tokenHash: "unknown", now: now) == nil)
        try await store.deleteSession(tokenHash: "h1")
        #expect(try await store.session(tokenHash: "h1", now: now) == nil)
    }

    // MARK: - Webhooks and deduplication

    static func webhookOutbox(_ store: any JobStore) async throws {
        var withCallback = spec()
        withCallback.callbackURL = "https://hooks.example.com/spool"
        let job = try await store.submit(withCallback, now: t0).job
        let quiet = try await store.submit(spec(), now: t0).job
        #expect(try await store.claimDueWebhooks(now: at(100), limit: 10, lease: .seconds(60)).isEmpty)

        // Ending the job queues its delivery in the same write; ending one without a callback queues nothing.
        let claimed = try #require(try await claim(store))
        let first = claimed.id == job.id ? claimed : try #require(try await claim(store, by: "b"))
        try await store.apply(.succeed(try #require(first.currentLease), outputs: [output]), to: job.id, now: at(10))
        try await store.apply(.cancel, to: quiet.id, now: at(10))
        #expect(try await store.webhookDelivery(for: job.id) == .queued(for: job.id, now: at(10)))
        #expect(try await store.webhookDelivery(for: quiet.id) == nil)

        // Not due before the job ended; taken once, then held by its lease.
        #expect(try await store.claimDueWebhooks(now: at(9), limit: 10, lease: .seconds(60)).isEmpty)
        let taken = try await store.claimDueWebhooks(now: at(11), limit: 10, lease: .seconds(60))
        #expect(taken.map(\.job) == [job.id])
        #expect(try await store.claimDueWebhooks(now: at(12), limit: 10, lease: .seconds(60)).isEmpty)
        // A sender that died mid-try: the lease runs out and the delivery comes back.
        #expect(try await store.claimDueWebhooks(now: at(72), limit: 10, lease: .seconds(60)).map(\.job) == [job.id])

        // A failed try is due again at its retry time, and only then.
        var retry = taken[0]
        retry.attempts = 1
        retry.lastStatus = 503
        retry.nextAttemptAt = at(200)
        try await store.recordWebhook(retry)
        #expect(try await store.webhookDelivery(for: job.id) == retry)
        #expect(try await store.claimDueWebhooks(now: at(199), limit: 10, lease: .seconds(60)).isEmpty)
        #expect(try await store.claimDueWebhooks(now: at(200), limit: 10, lease: .seconds(60)) == [retry])

        // Delivered: it leaves the queue for good and stays readable.
        var delivered = retry
        delivered.state = .delivered
        delivered.attempts = 2
        delivered.nextAttemptAt = nil
        delivered.deliveredAt = at(201)
        try await store.recordWebhook(delivered)
        #expect(try await store.claimDueWebhooks(now: at(10_000), limit: 10, lease: .seconds(60)).isEmpty)
        #expect(try await store.webhookDelivery(for: job.id) == delivered)
    }

    static func deduplicatedJobsKeepTheirSource(_ store: any JobStore) async throws {
        let job = try await store.submit(spec(), now: t0).job
        let lease = try #require(try await claim(store)?.currentLease)
        let earlier = JobID(rawValue: "job_earlier")
        let done = try await store.apply(
            .succeed(lease, outputs: [output], reusedFrom: earlier), to: job.id, now: at(5))
        #expect(done.job.deduplicatedFrom == earlier)
        #expect(try await store.job(job.id)?.deduplicatedFrom == earlier)
    }

    // MARK: - Retention

    static func expiryDeletesOnlyFinishedExpiredJobs(_ store: any JobStore) async throws {
        let day = 86_400.0
        let retention = RetentionPolicy(days: 1, deadLetterDays: 2)
        let shared = UploadID(rawValue: "upl_shared")
        func retained(_ spec: JobSpec, upload: UploadID? = nil) -> JobSpec {
            var spec = spec
            spec.retention = retention
            if let upload { spec.input = .upload(upload) }
            return spec
        }

        // A dead letter: three retryable failures (the last at 10 s).
        let deadLetter = try await store.submit(retained(spec()), now: t0).job
        for (claimAt, failAt) in [(1.0, 2.0), (4.0, 5.0), (9.0, 10.0)] {
            let lease = try #require(try await claim(store, at: claimAt)?.currentLease)
            try await store.apply(
                .fail(lease, JobError(code: .stalled, message: "no progress")), to: deadLetter.id, now: at(failAt))
        }
        // Succeeded at 13 s, reading the shared upload, with an idempotency key and a content-index entry.
        let succeeded = try await store.submit(retained(spec(key: "k"), upload: shared), now: at(11)).job
        let lease = try #require(try await claim(store, at: 12)?.currentLease)
        let done = try await store.apply(
            .succeed(lease, outputs: [output], resultKey: "rk"), to: succeeded.id, now: at(13))
        #expect(done.job.expiresAt == at(13 + day) && done.job.resultKey == "rk")
        try await store.savePlacementExplanation(#"{"outcome":"placed"}"#, for: succeeded.id)
        // Cancelled at 15 s; queued on the same upload; running.
        let cancelled = try await store.submit(retained(spec()), now: at(14)).job
        #expect(try await store.apply(.cancel, to: cancelled.id, now: at(15)).job.expiresAt == at(15 + day))
        let queued = try await store.submit(retained(spec(), upload: shared), now: at(16)).job
        let running = try await store.submit(retained(spec(priority: 90)), now: at(17)).job
        #expect(try await claim(store, at: 18)?.id == running.id)
        #expect(try await store.job(deadLetter.id)?.expiresAt == at(10 + 2 * day))
        #expect(try await store.job(queued.id)?.expiresAt == nil)

        #expect(try await store.expiredJobs(now: at(13 + day - 0.5), limit: 10).isEmpty)
        let due = try await store.expiredJobs(now: at(100 + day), limit: 10)
        #expect(due.map(\.id) == [succeeded.id, cancelled.id])
        #expect(try await store.expiredJobs(now: at(100 + day), limit: 1).map(\.id) == [succeeded.id])
        #expect(try await store.jobsReading(upload: shared, other: succeeded.id) == 1)

        // A retry before the deletion takes the job out of expiry; running and queued jobs are never deleted.
        let retried = try await store.apply(.retry, to: cancelled.id, now: at(20))
        #expect(retried.job.state == .queued && retried.job.expiresAt == nil)
        for id in [cancelled.id, queued.id, running.id] {
            #expect(try await store.deleteExpired(id, now: at(100 + day)) == false)
            #expect(try await store.job(id) != nil)
        }
        #expect(try await store.expiredJobs(now: at(100 + day), limit: 10).map(\.id) == [succeeded.id])

        // Not yet expired at 13 s + a day - 1 s; deleted after, with what the store keeps beside it.
        #expect(try await store.deleteExpired(succeeded.id, now: at(12 + day)) == false)
        #expect(try await store.deleteExpired(succeeded.id, now: at(100 + day)))
        #expect(try await store.deleteExpired(succeeded.id, now: at(100 + day)) == false)
        #expect(try await store.job(succeeded.id) == nil)
        #expect(try await store.placementExplanation(for: succeeded.id) == nil)
        #expect(try await store.list(JobFilter(limit: 50)).jobs.map(\.id).contains(succeeded.id) == false)
        #expect(try await store.countByState()[.succeeded] ?? 0 == 0)
        #expect(try await store.jobsReading(upload: shared, other: queued.id) == 0)
        // Its idempotency key no longer names it.
        let again = try await store.submit(retained(spec(key: "k")), now: at(101 + day))
        #expect(again.created && again.job.id != succeeded.id)

        // The dead letter has its own, longer window; once past it, it can no longer be retried, only deleted.
        #expect(try await store.expiredJobs(now: at(100 + day), limit: 10).isEmpty)
        let late = at(11 + 2 * day)
        #expect(try await store.expiredJobs(now: late, limit: 10).map(\.id) == [deadLetter.id])
        let refused = await lifecycleError { try await store.apply(.retry, to: deadLetter.id, now: late) }
        #expect(refused == .expired(at: at(10 + 2 * day)))
        #expect(try await store.deleteExpired(deadLetter.id, now: late))
        #expect(try await store.job(deadLetter.id) == nil)
    }
}

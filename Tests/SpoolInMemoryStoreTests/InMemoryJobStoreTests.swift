import Foundation
import JobStoreConformance
import SpoolCore
import SpoolInMemoryStore
import Synchronization
import Testing

@Suite struct InMemoryJobStoreTests {
    typealias Conformance = JobStoreConformance

    @Test(arguments: JobStoreConformance.Check.allCases)
    func conformance(_ check: JobStoreConformance.Check) async throws {
        try await Conformance.run(check, on: InMemoryJobStore(lifecycle: Conformance.lifecycle))
    }

    @Test func foreignCursorIsRefused() async throws {
        let store = InMemoryJobStore()
        let foreign = [
            "not base64!", Data("v1:abc".utf8).base64EncodedString(), Data("42".utf8).base64EncodedString(),
            Data("v1:-1".utf8).base64EncodedString(),
        ]
        for cursor in foreign {
            await #expect(throws: StoreError.self) { try await store.list(JobFilter(cursor: cursor)) }
        }
        // Zero is what the document's cursor pattern allows too: well formed, past the oldest job, an empty page.
        let pastTheOldest = try await store.list(JobFilter(cursor: Data("v1:0".utf8).base64EncodedString()))
        #expect(pastTheOldest.jobs.isEmpty && pastTheOldest.nextCursor == nil)
    }

    @Test func storesShareNothing() async throws {
        let first = InMemoryJobStore(lifecycle: Conformance.lifecycle)
        let second = InMemoryJobStore(lifecycle: Conformance.lifecycle)
        let job = try await first.submit(Conformance.spec(key: "k"), now: Conformance.t0).job
        #expect(try await second.job(job.id) == nil)
        #expect(try await second.submit(Conformance.spec(key: "k"), now: Conformance.t0).created)
    }

    @Test func idempotencyWindowIsASetting() async throws {
        let store = InMemoryJobStore(lifecycle: Conformance.lifecycle, idempotencyWindow: 60)
        let first = try await store.submit(Conformance.spec(key: "k"), now: Conformance.at(0))
        #expect(try await store.submit(Conformance.spec(key: "k"), now: Conformance.at(59)).job.id == first.job.id)
        let fresh = try await store.submit(Conformance.spec(key: "k"), now: Conformance.at(60))
        #expect(fresh.created && fresh.job.id != first.job.id)
    }

    // MARK: - The queued-jobs quota

    @Test func quotaRefusesTheSubmissionBeyondTheLimit() async throws {
        let store = InMemoryJobStore(lifecycle: Conformance.lifecycle)
        let acme = TenantID(rawValue: "acme")
        for index in 0..<2 {
            _ = try await store.submit(Conformance.spec(tenant: acme), maxQueued: 2, now: Conformance.at(Double(index)))
        }
        // Another tenant's jobs and an unlimited submission do not count against it, or are not refused.
        _ = try await store.submit(Conformance.spec(), maxQueued: 2, now: Conformance.at(2))
        _ = try await store.submit(Conformance.spec(tenant: acme), maxQueued: nil, now: Conformance.at(3))
        do {
            _ = try await store.submit(Conformance.spec(tenant: acme, key: "k"), maxQueued: 3, now: Conformance.at(4))
            Issue.record("a submission beyond the quota was accepted")
        } catch StoreError.quotaExceeded(let violation) {
            #expect(violation.quota == "max_queued" && violation.limit == 3 && violation.current == 3)
            #expect(!violation.hard)
        }
        // The refusal changed nothing: no job, and the key is still free.
        #expect(try await store.countByState(tenant: acme)[.queued] == 3)
        // Only queued jobs count: once one runs, there is room again.
        _ = try #require(try await Conformance.claim(store, at: 5))
        let admitted = try await store.submit(
            Conformance.spec(tenant: acme, key: "k"), maxQueued: 3, now: Conformance.at(6))
        #expect(admitted.created)
        // A repeat the key answers creates nothing, so the quota does not refuse it.
        let repeated = try await store.submit(
            Conformance.spec(tenant: acme, key: "k"), maxQueued: 1, now: Conformance.at(7))
        #expect(!repeated.created && repeated.job.id == admitted.job.id)
    }

    @Test func concurrentSubmissionsNeverOvershootTheQuota() async throws {
        let store = InMemoryJobStore(lifecycle: Conformance.lifecycle)
        let created = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<20 {
                group.addTask {
                    do {
                        return try await store.submit(
                            Conformance.spec(), maxQueued: 5, now: Conformance.at(Double(index))
                        ).created
                    } catch StoreError.quotaExceeded {
                        return false
                    }
                }
            }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(created == 5)
        #expect(try await store.countByState()[.queued] == 5)
    }

    // MARK: - Store-specific details

    @Test func aSecondTenantCannotTakeAKeyHash() async throws {
        let store = InMemoryJobStore()
        let limits = TenantLimits()
        let acme = Tenant(
            id: TenantID(rawValue: "acme"), keyHash: "h1", keyHint: "aaaa", limits: limits, createdAt: Conformance.t0)
        var globex = Tenant(
            id: TenantID(rawValue: "globex"), keyHash: "h1", keyHint: "bbbb", limits: limits, createdAt: Conformance.t0)
        try await store.createTenant(acme)
        await #expect(throws: StoreError.self) { try await store.createTenant(globex) }
        globex.keyHash = "h2"
        try await store.createTenant(globex)
        globex.keyHash = "h1"
        await #expect(throws: StoreError.self) { try await store.updateTenant(globex) }
        #expect(try await store.tenant(keyHash: "h1") == acme)
        #expect(try await store.tenant(keyHash: "h2")?.id == globex.id)
    }

    @Test func aPendingWebhookWithoutATimeIsDueAtTheClock() async throws {
        let clock = TestClock(Conformance.at(100))
        let store = InMemoryJobStore(lifecycle: Conformance.lifecycle, clock: clock.now)
        let job = JobID(rawValue: "job_1")
        try await store.recordWebhook(WebhookDelivery(job: job, attempts: 1))
        #expect(try await store.claimDueWebhooks(now: Conformance.at(99), limit: 5, lease: .seconds(10)).isEmpty)
        #expect(
            try await store.claimDueWebhooks(now: Conformance.at(100), limit: 5, lease: .seconds(10)).map(\.job) == [
                job
            ])
    }

    @Test func dueWebhooksGoOldestFirstUpToTheLimit() async throws {
        let store = InMemoryJobStore()
        let ids = (0..<3).map { JobID(rawValue: "job_\($0)") }
        for (offset, id) in zip([30.0, 10, 20], ids) {
            try await store.recordWebhook(WebhookDelivery(job: id, nextAttemptAt: Conformance.at(offset)))
        }
        let first = try await store.claimDueWebhooks(now: Conformance.at(50), limit: 2, lease: .seconds(60))
        #expect(first.map(\.job) == [ids[1], ids[2]])
        let rest = try await store.claimDueWebhooks(now: Conformance.at(50), limit: 0, lease: .seconds(60))
        #expect(rest.map(\.job) == [ids[0]])
    }

    @Test func cachedValuesExpireByTheClock() async throws {
        let clock = TestClock(Conformance.t0)
        let store = InMemoryJobStore(clock: clock.now)
        await store.cache("probe-1", for: "digest-a", lifetime: .seconds(60))
        await store.cache("probe-2", for: "digest-b", lifetime: .milliseconds(10))
        #expect(await store.cachedValue(for: "digest-a") == "probe-1")
        #expect(await store.cachedValue(for: "missing") == nil)
        // As in Redis, a lifetime counts in whole seconds, at least one.
        clock.advance(by: 0.5)
        #expect(await store.cachedValue(for: "digest-b") == "probe-2")
        clock.advance(by: 0.5)
        #expect(await store.cachedValue(for: "digest-b") == nil)
        #expect(await store.cachedValue(for: "digest-a") == "probe-1")
        clock.advance(by: 59)
        #expect(await store.cachedValue(for: "digest-a") == nil)

        await store.cache("probe-3", for: "digest-c", lifetime: .seconds(60))
        await store.evictCached("digest-c")
        #expect(await store.cachedValue(for: "digest-c") == nil)
    }

    @Test func manyExpiredCacheEntriesAreSweptAndLiveOnesKept() async throws {
        let clock = TestClock(Conformance.t0)
        let store = InMemoryJobStore(clock: clock.now)
        for index in 0..<1500 {
            await store.cache("old", for: "old-\(index)", lifetime: .seconds(1))
        }
        await store.cache("kept", for: "live", lifetime: .seconds(3600))
        clock.advance(by: 10)
        for index in 0..<1500 {
            await store.cache("new", for: "new-\(index)", lifetime: .seconds(60))
        }
        #expect(await store.cachedValue(for: "live") == "kept")
        #expect(await store.cachedValue(for: "new-0") == "new")
        #expect(await store.cachedValue(for: "old-0") == nil)
        #expect(await store.cachedEntryCount < 1500 + 1500)
    }

    @Test func scalingDecisionsAreTrimmedPerPool() async throws {
        let store = InMemoryJobStore()
        try await store.recordScalingDecision(ScalingRecord(pool: "b", time: Conformance.t0, json: "b0"), keep: 1)
        for index in 0..<4 {
            try await store.recordScalingDecision(
                ScalingRecord(pool: "a", time: Conformance.at(Double(index)), json: "a\(index)"), keep: 2)
        }
        #expect(try await store.scalingDecisions(pool: nil, limit: 10).map(\.json) == ["a3", "a2", "b0"])
        // A keep below one still keeps the newest.
        try await store.recordScalingDecision(ScalingRecord(pool: "a", time: Conformance.at(9), json: "a9"), keep: 0)
        #expect(try await store.scalingDecisions(pool: "a", limit: 0).map(\.json) == ["a9"])
    }
}

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date) { current = Mutex(start) }

    @Sendable func now() -> Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) { current.withLock { $0.addTimeInterval(seconds) } }
}

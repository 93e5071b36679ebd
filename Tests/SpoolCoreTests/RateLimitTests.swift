import Foundation
import Synchronization
import Testing

@testable import SpoolCore

/// GCRA on an injected clock: a burst passes, the next waits the emission interval, an idle key refills.
@Suite struct RateLimitTests {
    @Test func burstThenSteadyRate() async throws {
        let clock = TestTime()
        let limiter = InProcessRateLimiter(now: { clock.now })
        let limit = RateLimit(perSecond: 2, burst: 4)
        var results: [Bool] = []
        for _ in 0..<5 { results.append(try await limiter.check([("k", limit, "tenant")])[0].allowed) }
        #expect(results == [true, true, true, true, false])
        let refused = try await limiter.check([("k", limit, "tenant")])[0]
        #expect(refused.retryAfterSeconds == 1 && refused.remaining == 0)
        clock.advance(0.5)
        #expect(try await limiter.check([("k", limit, "tenant")])[0].allowed)
        #expect(try await limiter.check([("k", limit, "tenant")])[0].allowed == false)
        clock.advance(10)
        let refilled = try await limiter.check([("k", limit, "tenant")])[0]
        #expect(refilled.allowed && refilled.remaining == 3)
    }

    @Test func aRefusalByOneKeyChargesNone() async throws {
        let clock = TestTime()
        let limiter = InProcessRateLimiter(now: { clock.now })
        let tight = RateLimit(perSecond: 1, burst: 1)
        let loose = RateLimit(perSecond: 100, burst: 100)
        #expect(try await limiter.check([("t", tight, "tenant"), ("a", loose, "address")]).allSatisfy(\.allowed))
        let second = try await limiter.check([("t", tight, "tenant"), ("a", loose, "address")])
        #expect(second[0].allowed == false)
        #expect(try await limiter.check([("a", loose, "address")])[0].remaining == 98)
    }

    /// In one process every check is answered at once; without waiting, a refusal is left to `check` and counts
    /// nothing, like any refusal.
    @Test func checkingWithoutWaitingCountsWhatItAllows() async throws {
        let clock = TestTime()
        let limiter = InProcessRateLimiter(now: { clock.now })
        let tight = RateLimit(perSecond: 1, burst: 1)
        let loose = RateLimit(perSecond: 100, burst: 100)
        let allowed = limiter.checkWithoutWaiting([("t", tight, "tenant"), ("a", loose, "address")])
        #expect(allowed?.map(\.remaining) == [0, 99])
        #expect(limiter.checkWithoutWaiting([("t", tight, "tenant"), ("a", loose, "address")]) == nil)
        #expect(try await limiter.check([("t", tight, "tenant")])[0].allowed == false)
        #expect(try await limiter.check([("a", loose, "address")])[0].remaining == 98)
    }

    @Test func quotasNameWhatIsExceeded() {
        let limits = TenantLimits(maxQueued: 2, gpuSecondsPerDay: 100, uploadBytesPerDay: 1000)
        #expect(QuotaCheck.submission(limits: limits, usage: TenantUsage(gpuSeconds: 99)) == nil)
        let queued = QuotaCheck.queued(maxQueued: 2, queued: 2)
        #expect(queued.quota == "max_queued" && queued.hard == false)
        #expect(queued.description == "max_queued is 2; the tenant is at 2")
        let gpu = QuotaCheck.submission(limits: limits, usage: TenantUsage(gpuSeconds: 100))
        #expect(gpu?.quota == "gpu_seconds_per_day")
        let upload = QuotaCheck.upload(limits: limits, usage: TenantUsage(uploadBytes: 900), adding: 101)
        #expect(upload?.quota == "upload_bytes_per_day" && upload?.hard == true)
        #expect(QuotaCheck.upload(limits: limits, usage: TenantUsage(uploadBytes: 900), adding: 100) == nil)
        #expect(TenantUsage.day(of: Date(timeIntervalSince1970: 1_795_913_600)) == "2026-11-29")
    }
}

final class TestTime: Sendable {
    private let seconds = Mutex<Double>(1_800_000_000)
    var now: Date { Date(timeIntervalSince1970: seconds.withLock { $0 }) }
    func advance(_ by: Double) { seconds.withLock { $0 += by } }
}

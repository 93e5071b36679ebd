import Foundation
import RESPClient
import SpoolCore
import TestSupport
import Testing

@testable import SpoolRedis

/// GCRA in a real redis-server: two limiters (two gateways) share one budget, a refused request changes nothing,
/// and the limit of the tightest key decides.
@Suite(.serialized) struct RedisRateLimiterTests {
    /// Scripts run by the server so far (EVAL and EVALSHA), from INFO commandstats.
    static func scripts(_ client: RedisClient) async throws -> Int {
        let stats = try await client.send(["INFO", "commandstats"]).string ?? ""
        return stats.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("cmdstat_eval") }.reduce(0) {
            total, line in
            total + (Int(line.split(separator: "=")[1].split(separator: ",")[0]) ?? 0)
        }
    }

    @Test func gatewaysShareOneBudgetKeptByRedis() async throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        try await server.waitUntilReady()
        let first = server.client()
        let second = server.client()
        // Batches live an hour here, so how slow the machine is changes nothing.
        let a = RedisRateLimiter(client: first, namespace: "rl", batchLifetime: .seconds(3600))
        let b = RedisRateLimiter(client: second, namespace: "rl", batchLifetime: .seconds(3600))
        // One request per 10,000 s with a burst of 3: nothing refills during the test, however slow the machine.
        let slow = RateLimit(perSecond: 0.000_1, burst: 3)
        let roomy = RateLimit(perSecond: 0.000_1, burst: 1000)
        var allowed = 0
        for limiter in [a, b, a, b, a] {
            let decisions = try await limiter.check([("t:acme", slow, "tenant"), ("a:10.0.0.1", roomy, "address")])
            if decisions.allSatisfy(\.allowed) { allowed += 1 }
        }
        #expect(allowed == 3)
        let refused = try await b.check([("t:acme", slow, "tenant"), ("a:10.0.0.1", roomy, "address")])
        #expect(refused[0].allowed == false && refused[0].retryAfterSeconds > 50)
        #expect(refused[0].remaining == 0)
        // The address limit has a large burst, so each gateway took batches of 10 from Redis for it: three batches
        // for the three allowed requests, none for the refused ones. A third gateway's batch leaves 1000 - 40.
        let third = server.client()
        let address = try await RedisRateLimiter(client: third, namespace: "rl").check([
            ("a:10.0.0.1", roomy, "address")
        ])
        // Remaining counts what Redis has left and what the gateway holds: 1000 - 40 + 9.
        #expect(address[0].allowed && address[0].remaining == 1000 - 40 + 9, "\(address)")
        // What a gateway holds it spends without asking Redis.
        let scriptsBefore = try await Self.scripts(third)
        #expect(try await a.check([("a:10.0.0.1", roomy, "address")])[0].allowed)
        #expect(try await Self.scripts(third) == scriptsBefore)
        await third.close()
        // Another tenant has its own budget.
        #expect(try await a.check([("t:globex", slow, "tenant")])[0].allowed)
        await first.close()
        await second.close()
    }

    @Test func concurrentRequestsShareOneRefillInsteadOfEachTakingABatch() async throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        try await server.waitUntilReady()
        let client = server.client()
        let limiter = RedisRateLimiter(client: client, namespace: "rl", batchLifetime: .seconds(3600))
        // A burst of 20,000 takes batches of 100 at first and of 1,000 at most.
        let roomy = RateLimit(perSecond: 0.01, burst: 20_000)
        let before = try await Self.scripts(client)
        let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<1000 {
                group.addTask { try await limiter.check([("a:10.0.0.1", roomy, "address")])[0].allowed }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 1000)
        let roundTrips = try await Self.scripts(client) - before
        // Ten batches of 100 would do, four growing ones (100, 200, 400, 800) on a quick machine; a waiter that loses
        // a race now and then may cost one more. Each request taking its own batch would be a thousand.
        #expect(roundTrips >= 2 && roundTrips <= 30, "\(roundTrips) round trips for 1,000 requests")
        // Redis charged what was spent and what the gateway still holds: at most one and a half of the largest batch.
        // A fresh gateway's first batch (100) leaves the rest, and it holds 99.
        let fresh = try await RedisRateLimiter(client: client, namespace: "rl").check([("a:10.0.0.1", roomy, "address")]
        )
        let charged = 20_000 - (fresh[0].remaining - 99) - 100
        #expect(charged % 100 == 0 && (1000...2500).contains(charged), "Redis charged \(charged)")
        await client.close()
    }

    /// How a busy gateway's batches grow, from a hundredth of the burst to a twentieth, and shrink back; pure.
    @Test func batchesDoubleWhileSpentQuicklyAndFallBackOnceOld() {
        let roomy = RateLimit(perSecond: 10_000, burst: 20_000)
        let now = ContinuousClock.now
        func latest(size: Int, left: Int, age: Duration) -> RedisRateLimiter.Allowance {
            .init(left: left, takenAt: now - age, remainingInRedis: 0, size: size)
        }
        func next(_ allowance: RedisRateLimiter.Allowance?) -> Int {
            RedisRateLimiter.nextBatch(for: roomy, after: allowance, now: now, lifetime: .seconds(1))
        }
        #expect(next(nil) == 100)
        // Half spent within 100 ms: twice as large, up to a twentieth of the burst.
        #expect(next(latest(size: 100, left: 50, age: .milliseconds(20))) == 200)
        #expect(next(latest(size: 800, left: 0, age: .milliseconds(20))) == 1000)
        #expect(next(latest(size: 1000, left: 0, age: .milliseconds(20))) == 1000)
        // Spent slowly: the same size; unspent past its lifetime: the first size again.
        #expect(next(latest(size: 400, left: 0, age: .milliseconds(300))) == 400)
        #expect(next(latest(size: 400, left: 10, age: .seconds(2))) == 100)
        // Not yet half spent (a refill for another key): no growth.
        #expect(next(latest(size: 100, left: 90, age: .milliseconds(20))) == 100)
        // A limit with a small burst takes no batches at all.
        #expect(
            RedisRateLimiter.nextBatch(
                for: RateLimit(perSecond: 1, burst: 50), after: latest(size: 1, left: 0, age: .zero), now: now,
                lifetime: .seconds(1)) == 1)
    }

    /// A batch a request waited for is spent even if it is already older than the batch lifetime (a loaded machine
    /// can take that long to resume the request): otherwise every refill would expire unspent and the request would
    /// take batch after batch. A lifetime of zero makes every batch old at once.
    @Test func aBatchJustTakenIsSpentHoweverLongTheRequestTookToResume() async throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        try await server.waitUntilReady()
        let client = server.client()
        let limiter = RedisRateLimiter(client: client, namespace: "rl-age", batchLifetime: .zero)
        let roomy = RateLimit(perSecond: 0.000_1, burst: 1000)
        let decision = try await limiter.check([("a:10.0.0.2", roomy, "address")])
        #expect(decision[0].allowed)
        // One batch of 10 taken from Redis, one request spent from it (without the fix: batch after batch until
        // the budget ran out).
        #expect(decision[0].remaining == 1000 - 10 + 9, "\(decision)")
        await client.close()
    }

    /// An event loop meters from the local batch alone: nothing before a batch is taken, then each request from it
    /// without a script, and never a limit that takes no batches (it is exact, so it asks Redis every time).
    @Test func checkingWithoutWaitingSpendsTheLocalBatchOnly() async throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        try await server.waitUntilReady()
        let client = server.client()
        let limiter = RedisRateLimiter(client: client, namespace: "rl-now", batchLifetime: .seconds(3600))
        let roomy = [(key: "a:10.0.0.3", limit: RateLimit(perSecond: 0.000_1, burst: 1000), scope: "address")]
        #expect(limiter.checkWithoutWaiting(roomy) == nil)
        let first = try await limiter.check(roomy)
        #expect(first[0].allowed && first[0].remaining == 1000 - 10 + 9, "\(first)")
        // Three more from the batch of 10 (not yet half spent, so no refill starts): counted, and no script run.
        let scriptsBefore = try await Self.scripts(client)
        let spent = (0..<3).compactMap { _ in limiter.checkWithoutWaiting(roomy)?.first?.remaining }
        #expect(spent == [998, 997, 996])
        #expect(try await Self.scripts(client) == scriptsBefore)
        #expect(try await limiter.check(roomy)[0].remaining == 995)
        let exact = [(key: "t:acme", limit: RateLimit(perSecond: 0.000_1, burst: 3), scope: "tenant")]
        _ = try await limiter.check(exact)
        #expect(limiter.checkWithoutWaiting(exact) == nil)
        await client.close()
    }
}

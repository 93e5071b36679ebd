import Foundation
import RESPClient
import SpoolCore
import SpoolRedis
import TestSupport
import Testing

/// GCRA in a real redis-server: two limiters (two gateways) share one budget, a refused request changes nothing,
/// and the limit of the tightest key decides.
@Suite(.serialized) struct RedisRateLimiterTests {
    @Test func gatewaysShareOneBudgetKeptByRedis() async throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        try await server.waitUntilReady()
        let first = server.client()
        let second = server.client()
        // Batches live an hour here, so how slow the machine is changes nothing.
        let a = RedisRateLimiter(client: first, namespace: "rl", batchLifetime: .seconds(3600))
        let b = RedisRateLimiter(client: second, namespace: "rl", batchLifetime: .seconds(3600))
        // One request per 100 s with a burst of 3: nothing refills during the test, however slow the machine.
        let slow = RateLimit(perSecond: 0.01, burst: 3)
        let roomy = RateLimit(perSecond: 0.01, burst: 1000)
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
        #expect(address[0].allowed && address[0].remaining == 1000 - 40)
        // What a gateway holds it spends without asking Redis.
        #expect(try await a.check([("a:10.0.0.1", roomy, "address")])[0].remaining == 8)
        await third.close()
        // Another tenant has its own budget.
        #expect(try await a.check([("t:globex", slow, "tenant")])[0].allowed)
        await first.close()
        await second.close()
    }
}

import Foundation
import RESPClient
import SpoolCore

/// GCRA in Redis with Redis's clock (`TIME` inside the script), so every gateway shares each key's budget and
/// gateway clocks do not matter. All keys share one hash tag, so one script checks them on one node.
public struct RedisRateLimiter: RateLimiter {
    let client: RedisClient
    let namespace: String

    public init(client: RedisClient, namespace: String) {
        self.client = client
        self.namespace = namespace
    }

    public func check(_ limits: [(key: String, limit: RateLimit, scope: String)]) async throws -> [RateDecision] {
        guard !limits.isEmpty else { return [] }
        let keys = limits.map { RESPArgument("\(namespace):{rl}:" + $0.key) }
        var arguments: [RESPArgument] = []
        for entry in limits {
            arguments.append(.init(String(entry.limit.intervalMillis)))
            arguments.append(.init(String(entry.limit.toleranceMillis)))
        }
        let reply: RESPValue
        do {
            reply = try await client.run(script: RedisScripts.rateLimit, keys: keys, arguments: arguments)
        } catch let error as RedisError {
            throw StoreError.from(error)
        }
        let rows = reply.array ?? []
        return zip(limits, rows).map { entry, row in
            let values = row.array?.map { $0.int ?? 0 } ?? [0, 1000, 0]
            let allowed = values[0] == 1
            let ahead = Double(values.count > 2 ? values[2] : 0)
            let remaining = Int(((entry.limit.toleranceMillis - ahead) / entry.limit.intervalMillis).rounded(.down))
            return RateDecision(
                allowed: allowed, limit: entry.limit.burst, remaining: allowed ? max(remaining, 0) : 0,
                retryAfterSeconds: allowed ? 0 : max(1, Int((Double(values[1]) / 1000).rounded(.up))),
                resetSeconds: max(0, Int((ahead / 1000).rounded(.up))), scope: entry.scope,
                perSecond: entry.limit.perSecond)
        }
    }
}

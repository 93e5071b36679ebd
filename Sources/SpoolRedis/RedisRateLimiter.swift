import Foundation
import RESPClient
import SpoolCore
import Synchronization

/// GCRA in Redis with Redis's clock (`TIME` inside the script), so every gateway shares each key's budget and
/// gateway clocks do not matter. All keys share one hash tag, so one script checks them on one node.
///
/// A busy gateway would spend a Redis round trip on every request; instead, for a limit whose burst is large, it
/// takes a small batch (a hundredth of the burst, at most 100 requests) from Redis at once and spends it locally.
/// The shared budget stays exact; a gateway may hold up to one unspent batch per key, so the whole deployment may
/// briefly run one batch per gateway ahead of a refusal. Limits with a small burst take no batches and are exact.
public final class RedisRateLimiter: RateLimiter {
    let client: RedisClient
    let namespace: String
    /// Requests already paid for in Redis and not yet spent, per key, with when the batch was taken.
    private let allowances = Mutex<[String: Allowance]>([:])

    struct Allowance {
        var left: Int
        var takenAt: ContinuousClock.Instant
        /// What Redis had left for the key after the latest batch; `remaining` reports it plus what is held here.
        var remainingInRedis: Int
    }
    /// An unspent batch is dropped after this long, so an idle gateway does not sit on its share.
    let batchLifetime: Duration
    /// The batch refill in flight per set of keys.
    private let refills = Mutex<[String: Task<Bool, any Error>]>([:])

    public init(client: RedisClient, namespace: String, batchLifetime: Duration = .seconds(1)) {
        self.client = client
        self.namespace = namespace
        self.batchLifetime = batchLifetime
    }

    static func batch(for limit: RateLimit) -> Int { max(1, min(limit.burst / 100, 100)) }

    public func check(_ limits: [(key: String, limit: RateLimit, scope: String)]) async throws -> [RateDecision] {
        guard !limits.isEmpty else { return [] }
        let costs = limits.map { Self.batch(for: $0.limit) }
        let keys = limits.map { RESPArgument("\(namespace):{rl}:" + $0.key) }
        if costs.contains(where: { $0 > 1 }) {
            // Many requests find the batch empty at once; one of them refills it and the rest wait for that refill
            // instead of each taking (and mostly wasting) a batch of its own.
            let flight = limits.map(\.key).joined(separator: "\u{1}")
            // A batch this call waited for is spent whatever its age: on a loaded machine more than a batch's
            // lifetime can pass between the refill and this task running again, and each new batch would then
            // expire unspent in turn (a CI run took an extra batch that way).
            var refilled = false
            while true {
                if let local = spendLocally(limits, ignoringAge: refilled) { return local }
                let refill = refills.withLock { refills in
                    if let running = refills[flight] { return running }
                    let started = Task { try await self.takeBatches(limits, keys: keys, costs: costs, flight: flight) }
                    refills[flight] = started
                    return started
                }
                guard try await refill.value else { break }
                refilled = true
            }
        }
        // Exact: the limit takes no batches, or a batch no longer fits under it.
        let single = limits.map { _ in 1 }
        return decisions(
            limits, rows: try await run(keys: keys, arguments: Self.arguments(limits, costs: single)))
    }

    /// Spends one request from each key's local batch, if every key has one left that is young enough (or, right
    /// after a refill this call waited for, of any age).
    private func spendLocally(_ limits: [(key: String, limit: RateLimit, scope: String)], ignoringAge: Bool = false)
        -> [RateDecision]?
    {
        let now = ContinuousClock.now
        let lifetime = batchLifetime
        return allowances.withLock { allowances in
            for entry in limits {
                guard let allowance = allowances[entry.key], allowance.left > 0,
                    ignoringAge || now - allowance.takenAt < lifetime
                else { return nil }
            }
            return limits.map { entry in
                allowances[entry.key]!.left -= 1
                let allowance = allowances[entry.key]!
                return RateDecision(
                    allowed: true, limit: entry.limit.burst, remaining: allowance.remainingInRedis + allowance.left,
                    retryAfterSeconds: 0, resetSeconds: 1, scope: entry.scope, perSecond: entry.limit.perSecond)
            }
        }
    }

    /// Takes one batch per key from Redis and adds it to the local allowances; false when a batch does not fit.
    private func takeBatches(
        _ limits: [(key: String, limit: RateLimit, scope: String)], keys: [RESPArgument], costs: [Int], flight: String
    ) async throws -> Bool {
        defer { refills.withLock { $0[flight] = nil } }
        let rows = try await run(keys: keys, arguments: Self.arguments(limits, costs: costs))
        guard rows.count == limits.count, rows.allSatisfy({ $0.first == 1 }) else { return false }
        let now = ContinuousClock.now
        let reported = decisions(limits, rows: rows)
        allowances.withLock { allowances in
            for ((entry, cost), decision) in zip(zip(limits, costs), reported) {
                let kept = allowances[entry.key].map { now - $0.takenAt < batchLifetime ? $0.left : 0 } ?? 0
                allowances[entry.key] = Allowance(
                    left: kept + cost, takenAt: now, remainingInRedis: decision.remaining)
            }
        }
        return true
    }

    /// Per key: interval ms, tolerance ms, cost.
    static func arguments(_ limits: [(key: String, limit: RateLimit, scope: String)], costs: [Int]) -> [RESPArgument] {
        zip(limits, costs).flatMap { entry, cost in
            [
                RESPArgument(String(entry.limit.intervalMillis)), RESPArgument(String(entry.limit.toleranceMillis)),
                RESPArgument(cost),
            ]
        }
    }

    private func run(keys: [RESPArgument], arguments: [RESPArgument]) async throws -> [[Int]] {
        let reply: RESPValue
        do {
            // A bucket's tokens are not worth a replica's round trip: a failover at worst forgets a few.
            reply = try await client.run(
                script: RedisScripts.rateLimit, keys: keys, arguments: arguments, writes: false)
        } catch let error as RedisError {
            throw StoreError.from(error)
        }
        return (reply.array ?? []).map { row in row.array?.map { $0.int ?? 0 } ?? [0, 1000, 0] }
    }

    private func decisions(
        _ limits: [(key: String, limit: RateLimit, scope: String)], rows: [[Int]]
    ) -> [RateDecision] {
        return zip(limits, rows).map { entry, values in
            let allowed = values[0] == 1
            let ahead = Double(values.count > 2 ? values[2] : 0)
            let remaining = Int(((entry.limit.toleranceMillis - ahead) / entry.limit.intervalMillis).rounded(.down))
            return RateDecision(
                allowed: allowed, limit: entry.limit.burst, remaining: allowed ? max(remaining, 0) : 0,
                retryAfterSeconds: allowed
                    ? 0 : max(1, Int((Double(values.count > 1 ? values[1] : 1000) / 1000).rounded(.up))),
                resetSeconds: max(0, Int((ahead / 1000).rounded(.up))), scope: entry.scope,
                perSecond: entry.limit.perSecond)
        }
    }
}

import Foundation
import RESPClient
import SpoolCore
import Synchronization

/// GCRA in Redis with Redis's clock (`TIME` inside the script), so every gateway shares each key's budget and
/// gateway clocks do not matter. All keys share one hash tag, so one script checks them on one node.
///
/// A busy gateway would spend a Redis round trip on every request; instead, for a limit whose burst is large, it
/// takes a batch from Redis at once and spends it locally: a hundredth of the burst (at most 100 requests) at first,
/// doubling while each batch is spent within 100 ms, up to a twentieth of the burst, and back to the first size once a
/// batch outlives its lifetime. The next batch is taken when half of one is left, so requests do not wait for it.
///
/// Why batches grow: only one refill per key is in flight, so a gateway serves at most a batch per round trip. With
/// batches of 100, a thousand connections queued behind each refill and some waited over a second (bench/gateway).
///
/// The shared budget stays exact; a gateway may hold up to one and a half unspent batches per key (at most 7.5 % of
/// the burst), so the whole deployment may briefly run that much per gateway ahead of a refusal. Limits with a small
/// burst take no batches and are exact.
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
        /// The latest batch's size.
        var size: Int
    }
    /// A batch spent faster than this makes the next one twice as large.
    static let quickBatch = Duration.milliseconds(100)
    /// An unspent batch is dropped after this long, so an idle gateway does not sit on its share.
    let batchLifetime: Duration
    /// The batch refill in flight per set of keys.
    private let refills = Mutex<[String: Task<Bool, any Error>]>([:])

    public init(client: RedisClient, namespace: String, batchLifetime: Duration = .seconds(1)) {
        self.client = client
        self.namespace = namespace
        self.batchLifetime = batchLifetime
    }

    /// The first batch a gateway takes for a limit; 1 means the limit takes no batches.
    static func batch(for limit: RateLimit) -> Int { max(1, min(limit.burst / 100, 100)) }

    /// The largest batch a busy gateway takes for a limit.
    static func largestBatch(for limit: RateLimit) -> Int { max(batch(for: limit), limit.burst / 20) }

    /// The next batch for a key, from how fast the latest one went.
    static func nextBatch(
        for limit: RateLimit, after latest: Allowance?, now: ContinuousClock.Instant, lifetime: Duration
    ) -> Int {
        let first = batch(for: limit)
        guard first > 1, let latest else { return first }
        let age = now - latest.takenAt
        if latest.left * 2 <= latest.size && age < quickBatch { return min(latest.size * 2, largestBatch(for: limit)) }
        return age < lifetime ? max(latest.size, first) : first
    }

    public func check(_ limits: [(key: String, limit: RateLimit, scope: String)]) async throws -> [RateDecision] {
        guard !limits.isEmpty else { return [] }
        // Most calls spend from local batches, so the Redis keys and the refill's name are made only when Redis is
        // asked: this runs for every request the gateway meters.
        let batched = limits.contains { Self.batch(for: $0.limit) > 1 }
        if batched {
            // A batch this call waited for is spent whatever its age: on a loaded machine more than a batch's
            // lifetime can pass between the refill and this task running again, and each new batch would then
            // expire unspent in turn (a CI run took an extra batch that way).
            var refilled = false
            while true {
                if let decisions = spendFromBatches(limits, ignoringAge: refilled) { return decisions }
                guard try await refill(limits).value else { break }
                refilled = true
            }
        }
        // Exact: the limit takes no batches, or a batch no longer fits under it.
        let single = limits.map { _ in 1 }
        return decisions(
            limits, rows: try await run(keys: redisKeys(limits), arguments: Self.arguments(limits, costs: single)))
    }

    /// From the local batches alone: nil when a key has none left, so the request would wait for Redis.
    public func checkWithoutWaiting(_ limits: [(key: String, limit: RateLimit, scope: String)]) -> [RateDecision]? {
        guard !limits.isEmpty else { return [] }
        return spendFromBatches(limits)
    }

    /// Spends from the local batches, and starts the next refill when they run low.
    private func spendFromBatches(
        _ limits: [(key: String, limit: RateLimit, scope: String)], ignoringAge: Bool = false
    ) -> [RateDecision]? {
        guard let local = spendLocally(limits, ignoringAge: ignoringAge) else { return nil }
        // Half a batch left: the next one is fetched now, while this one is spent, so requests do not queue behind a
        // refill. Not where a key takes no batches: that would spend its exact budget.
        if local.low && limits.allSatisfy({ Self.batch(for: $0.limit) > 1 }) { _ = refill(limits) }
        return local.decisions
    }

    /// The limits' keys as Redis names them.
    private func redisKeys(_ limits: [(key: String, limit: RateLimit, scope: String)]) -> [RESPArgument] {
        limits.map { RESPArgument("\(namespace):{rl}:" + $0.key) }
    }

    /// The refill in flight for this set of keys, or a new one.
    private func refill(_ limits: [(key: String, limit: RateLimit, scope: String)]) -> Task<Bool, any Error> {
        // Many requests find the batch empty at once; one of them refills it and the rest wait for that refill
        // instead of each taking (and mostly wasting) a batch of its own.
        let flight = limits.map(\.key).joined(separator: "\u{1}")
        return refills.withLock { refills in
            if let running = refills[flight] { return running }
            let keys = redisKeys(limits)
            let started = Task { try await self.takeBatches(limits, keys: keys, flight: flight) }
            refills[flight] = started
            return started
        }
    }

    /// Spends one request from each key's local batch, if every key has one left that is young enough (or, right
    /// after a refill this call waited for, of any age); `low` when a key has half a batch or less left.
    private func spendLocally(_ limits: [(key: String, limit: RateLimit, scope: String)], ignoringAge: Bool = false)
        -> (decisions: [RateDecision], low: Bool)?
    {
        let now = ContinuousClock.now
        let lifetime = batchLifetime
        return allowances.withLock { allowances in
            // Each key is looked up once; its allowance is then reached by position.
            var positions: [Dictionary<String, Allowance>.Index] = []
            positions.reserveCapacity(limits.count)
            for entry in limits {
                guard let position = allowances.index(forKey: entry.key) else { return nil }
                let allowance = allowances.values[position]
                guard allowance.left > 0, ignoringAge || now - allowance.takenAt < lifetime else { return nil }
                positions.append(position)
            }
            var low = false
            let decisions = zip(limits, positions).map { entry, position in
                allowances.values[position].left -= 1
                let allowance = allowances.values[position]
                if allowance.left * 2 <= allowance.size { low = true }
                return RateDecision(
                    allowed: true, limit: entry.limit.burst, remaining: allowance.remainingInRedis + allowance.left,
                    retryAfterSeconds: 0, resetSeconds: 1, scope: entry.scope, perSecond: entry.limit.perSecond)
            }
            return (decisions, low)
        }
    }

    /// Takes one batch per key from Redis and adds it to the local allowances; false when a batch does not fit.
    private func takeBatches(
        _ limits: [(key: String, limit: RateLimit, scope: String)], keys: [RESPArgument], flight: String
    ) async throws -> Bool {
        defer { refills.withLock { $0[flight] = nil } }
        let lifetime = batchLifetime
        let costs = allowances.withLock { allowances in
            let now = ContinuousClock.now
            return limits.map {
                Self.nextBatch(for: $0.limit, after: allowances[$0.key], now: now, lifetime: lifetime)
            }
        }
        let rows = try await run(keys: keys, arguments: Self.arguments(limits, costs: costs))
        guard rows.count == limits.count, rows.allSatisfy({ $0.first == 1 }) else { return false }
        let now = ContinuousClock.now
        let reported = decisions(limits, rows: rows)
        allowances.withLock { allowances in
            for ((entry, cost), decision) in zip(zip(limits, costs), reported) {
                let kept = allowances[entry.key].map { now - $0.takenAt < batchLifetime ? $0.left : 0 } ?? 0
                allowances[entry.key] = Allowance(
                    left: kept + cost, takenAt: now, remainingInRedis: decision.remaining, size: cost)
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

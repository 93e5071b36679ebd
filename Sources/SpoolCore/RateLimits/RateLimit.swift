import Foundation

/// A rate: `perSecond` requests on average, up to `burst` at once (GCRA's emission interval and tolerance).
public struct RateLimit: Sendable, Equatable, Codable {
    public var perSecond: Double
    public var burst: Int

    public init(perSecond: Double, burst: Int) {
        self.perSecond = max(perSecond, 1e-6)
        self.burst = max(burst, 1)
    }

    /// Milliseconds between requests at the average rate.
    public var intervalMillis: Double { 1000 / perSecond }
    /// How far ahead of now the theoretical arrival time may run before requests are refused.
    public var toleranceMillis: Double { intervalMillis * Double(burst) }

    enum CodingKeys: String, CodingKey {
        case perSecond = "per_second"
        case burst
    }
}

/// What one limit says about one request, with the headers that tell the client.
public struct RateDecision: Sendable, Equatable {
    public var allowed: Bool
    public var limit: Int
    public var remaining: Int
    /// Seconds until a refused request would pass (0 when allowed).
    public var retryAfterSeconds: Int
    /// Seconds until the full burst is available again.
    public var resetSeconds: Int
    /// Which limit: "tenant" or "address".
    public var scope: String
    public var perSecond: Double

    public init(
        allowed: Bool, limit: Int, remaining: Int, retryAfterSeconds: Int, resetSeconds: Int, scope: String,
        perSecond: Double
    ) {
        self.allowed = allowed
        self.limit = limit
        self.remaining = remaining
        self.retryAfterSeconds = retryAfterSeconds
        self.resetSeconds = resetSeconds
        self.scope = scope
        self.perSecond = perSecond
    }

    /// GCRA on one key: `tatMillis` is the stored theoretical arrival time (nil: none yet). Returns the decision and
    /// the new arrival time to store (nil when refused: nothing changes).
    public static func gcra(
        _ limit: RateLimit, tatMillis: Double?, nowMillis: Double, scope: String
    ) -> (decision: RateDecision, newTATMillis: Double?) {
        let tat = max(tatMillis ?? nowMillis, nowMillis)
        let allowAt = tat + limit.intervalMillis - limit.toleranceMillis
        if nowMillis < allowAt {
            let decision = RateDecision(
                allowed: false, limit: limit.burst, remaining: 0,
                retryAfterSeconds: max(1, Int(((allowAt - nowMillis) / 1000).rounded(.up))),
                resetSeconds: max(1, Int(((tat - nowMillis) / 1000).rounded(.up))), scope: scope,
                perSecond: limit.perSecond)
            return (decision, nil)
        }
        let newTAT = tat + limit.intervalMillis
        let remaining = Int(((limit.toleranceMillis - (newTAT - nowMillis)) / limit.intervalMillis).rounded(.down))
        let decision = RateDecision(
            allowed: true, limit: limit.burst, remaining: max(remaining, 0), retryAfterSeconds: 0,
            resetSeconds: max(0, Int(((newTAT - nowMillis) / 1000).rounded(.up))), scope: scope,
            perSecond: limit.perSecond)
        return (decision, newTAT)
    }
}

/// Checks requests against per-key limits. In a cluster the state lives in Redis and the time is Redis's own, so
/// every gateway shares one budget; alone, it lives in the process.
public protocol RateLimiter: Sendable {
    /// Checks each (key, limit) pair and counts the request against all of them only if all allow it. Returns one
    /// decision per pair, in order.
    func check(_ limits: [(key: String, limit: RateLimit, scope: String)]) async throws -> [RateDecision]

    /// The same check when it can be answered at once and allows the request (and counts it, as `check` does); nil,
    /// counting nothing, when it would have to wait (a Redis round trip) or refuses: `check` then decides. An event
    /// loop meters with this, since it must not wait.
    func checkWithoutWaiting(_ limits: [(key: String, limit: RateLimit, scope: String)]) -> [RateDecision]?
}

extension RateLimiter {
    public func checkWithoutWaiting(_ limits: [(key: String, limit: RateLimit, scope: String)]) -> [RateDecision]? {
        nil
    }
}

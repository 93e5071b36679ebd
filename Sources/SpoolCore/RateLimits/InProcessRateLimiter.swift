import Foundation
import Synchronization

/// GCRA in memory, for a single process (the embedded server). Keys idle past their reset are forgotten.
public final class InProcessRateLimiter: RateLimiter {
    private let state = Mutex<[String: Double]>([:])
    private let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = Date.init) {
        self.now = now
    }

    public func check(_ limits: [(key: String, limit: RateLimit, scope: String)]) async throws -> [RateDecision] {
        decide(limits)
    }

    public func checkWithoutWaiting(_ limits: [(key: String, limit: RateLimit, scope: String)]) -> [RateDecision]? {
        let decisions = decide(limits)
        // A refusal counted nothing; `check` gives it again, with the answer that says so.
        return decisions.allSatisfy(\.allowed) ? decisions : nil
    }

    private func decide(_ limits: [(key: String, limit: RateLimit, scope: String)]) -> [RateDecision] {
        let nowMillis = now().timeIntervalSince1970 * 1000
        return state.withLock { state in
            if state.count > 100_000 { state = state.filter { $0.value > nowMillis } }
            let results = limits.map { entry in
                RateDecision.gcra(entry.limit, tatMillis: state[entry.key], nowMillis: nowMillis, scope: entry.scope)
            }
            guard results.allSatisfy(\.decision.allowed) else { return results.map(\.decision) }
            for (entry, result) in zip(limits, results) { state[entry.key] = result.newTATMillis }
            return results.map(\.decision)
        }
    }
}

import Foundation
import SpoolCore
import Synchronization

/// A leader lease in this process's memory, with the same rules as the Redis one: a free or lapsed lease goes to
/// the first candidate that asks and the fencing token grows by one; the holder renews it; release frees it at once.
/// For candidates that share one process (tests, simulations).
public final class LocalLeaderElection: LeaderElection {
    struct State {
        var holder: String?
        var expiresAt = Date.distantPast
        var token = 0
    }

    private let state = Mutex(State())
    private let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    public func acquireOrRenew(candidate: String, ttl: Duration) async throws -> Int? {
        let now = now()
        return state.withLock { state in
            let held = state.holder != nil && state.expiresAt > now
            if held, state.holder != candidate { return nil }
            if !held || state.holder != candidate { state.token += 1 }
            state.holder = candidate
            state.expiresAt = now.addingTimeInterval(ttl.seconds)
            return state.token
        }
    }

    public func release(candidate: String) async throws {
        state.withLock { state in
            if state.holder == candidate { state.holder = nil }
        }
    }
}

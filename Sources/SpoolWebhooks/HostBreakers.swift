import CircuitBreaking
import Synchronization

/// One circuit breaker per callback host: a receiver that is down stops costing a connect timeout per delivery,
/// and its deliveries wait out the cool-down without using up their tries. Other hosts are not affected.
final class HostBreakers: Sendable {
    private let breakers: Mutex<[String: CircuitBreaker]>
    let failureThreshold: Int
    let coolDown: Duration

    init(failureThreshold: Int, coolDown: Duration) {
        self.failureThreshold = failureThreshold
        self.coolDown = coolDown
        breakers = Mutex([:])
    }

    func decide(_ host: String, now: Duration) -> CircuitBreaker.Decision {
        breakers.withLock { all in
            var breaker = all[host] ?? CircuitBreaker(failureThreshold: failureThreshold, coolDown: coolDown)
            let decision = breaker.decide(now: now)
            all[host] = breaker
            return decision
        }
    }

    func record(_ host: String, succeeded: Bool, now: Duration, reason: String) {
        breakers.withLock { all in
            var breaker = all[host] ?? CircuitBreaker(failureThreshold: failureThreshold, coolDown: coolDown)
            if succeeded { breaker.recordSuccess() } else { breaker.recordFailure(now: now, reason: reason) }
            // A healthy host needs no entry; this keeps the table the size of the failing hosts.
            if case .closed(0) = breaker.state { all[host] = nil } else { all[host] = breaker }
        }
    }

    func state(_ host: String) -> CircuitBreaker.State {
        breakers.withLock { $0[host]?.state ?? .closed(consecutiveFailures: 0) }
    }
}

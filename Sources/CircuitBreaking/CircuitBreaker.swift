/// Stops a client from hammering a server that keeps refusing connections.
///
/// Closed: connects go ahead; `failureThreshold` consecutive failures open it. Open: every connect is refused at once
/// until `coolDown` has passed. Then one probe is let through (half-open); its success closes the breaker, its
/// failure opens it for another cool-down. Times are durations on the injected clock, so tests drive it directly.
public struct CircuitBreaker: Sendable {
    public enum State: Equatable, Sendable {
        case closed(consecutiveFailures: Int)
        case open(until: Duration)
        case halfOpen
    }

    public enum Decision: Equatable, Sendable {
        case proceed
        /// The first connect after a cool-down; report its outcome.
        case probe
        case reject(retryAfter: Duration)
    }

    public let failureThreshold: Int
    public let coolDown: Duration
    public private(set) var state: State = .closed(consecutiveFailures: 0)
    public private(set) var lastFailure: String?

    public init(failureThreshold: Int, coolDown: Duration) {
        self.failureThreshold = max(failureThreshold, 1)
        self.coolDown = coolDown
    }

    public mutating func decide(now: Duration) -> Decision {
        switch state {
        case .closed:
            return .proceed
        case .open(let until) where now >= until:
            state = .halfOpen
            return .probe
        case .open(let until):
            return .reject(retryAfter: until - now)
        case .halfOpen:
            // Only the probe may test the server; the others would hammer it exactly like before.
            return .reject(retryAfter: coolDown)
        }
    }

    public mutating func recordSuccess() {
        state = .closed(consecutiveFailures: 0)
        lastFailure = nil
    }

    public mutating func recordFailure(now: Duration, reason: String) {
        lastFailure = reason
        switch state {
        case .closed(let failures) where failures + 1 >= failureThreshold:
            state = .open(until: now + coolDown)
        case .closed(let failures):
            state = .closed(consecutiveFailures: failures + 1)
        case .halfOpen:
            state = .open(until: now + coolDown)
        case .open:
            break  // a connect that started before the breaker opened; it changes nothing
        }
    }

    /// The probe was cancelled before it learned anything: let the next caller probe instead.
    public mutating func recordAbandoned(now: Duration) {
        if state == .halfOpen { state = .open(until: now) }
    }
}

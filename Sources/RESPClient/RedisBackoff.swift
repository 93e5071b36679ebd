/// Jittered exponential backoff, used between reconnect attempts and between retries of transient errors.
///
/// Attempt `n` waits `initial × multiplierⁿ⁻¹`, capped at `maximum`, then shortened by a random fraction of up to
/// `jitter` of itself, so that many clients that lost the same server do not all come back in the same millisecond.
public struct RedisBackoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    /// 0 = no randomness; 1 = anywhere between zero and the full delay.
    public var jitter: Double

    public init(
        initial: Duration = .milliseconds(50),
        maximum: Duration = .seconds(2),
        multiplier: Double = 2,
        jitter: Double = 0.5
    ) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The delay before retry number `attempt` (1-based).
    public func delay(forAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = ceilingDelay(forAttempt: attempt)
        let cut = jitter > 0 ? Double.random(in: 0..<jitter, using: &generator) : 0
        return .seconds(ceiling.seconds * (1 - cut))
    }

    public func delay(forAttempt attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(forAttempt: attempt, using: &generator)
    }

    /// The delay before jitter is applied.
    public func ceilingDelay(forAttempt attempt: Int) -> Duration {
        let exponent = Double(max(attempt - 1, 0))
        let seconds = initial.seconds * pow(multiplier, exponent)
        return seconds.isFinite && seconds < maximum.seconds ? .seconds(seconds) : maximum
    }
}

/// `pow` without Foundation: the exponent here is a small whole number.
private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var remaining = Int(exponent)
    while remaining > 0 && result.isFinite {
        result *= base
        remaining -= 1
    }
    return result
}

/// How failures that may pass are retried: exponential backoff, capped.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 3, baseDelay: Duration = .seconds(2), maxDelay: Duration = .seconds(60)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before attempt `failures + 1`, after `failures` failed attempts (1-based).
    public func delay(afterFailures failures: Int) -> Duration {
        let exponent = max(0, min(failures - 1, 30))
        let delay = baseDelay * (1 << exponent)
        return min(delay, maxDelay)
    }
}

/// How failed requests are tried again: only retryable failures (`S3Error.isRetryable`), with exponential backoff
/// and full jitter, up to `attempts` tries in all.
public struct S3RetryPolicy: Sendable, Equatable {
    public var attempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(attempts: Int = 4, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(5)) {
        self.attempts = max(1, attempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// No waiting between tries (tests).
    public static let immediate = S3RetryPolicy(attempts: 4, baseDelay: .zero, maxDelay: .zero)

    /// The pause before try `attempt + 1` (attempt counts from 1): uniform in [0, min(max, base·2^(attempt-1))].
    public func delay(after attempt: Int, random: Double) -> Duration {
        let ceiling = min(maxDelay, baseDelay * (1 << min(attempt - 1, 20)))
        return ceiling * max(0, min(random, 1))
    }
}

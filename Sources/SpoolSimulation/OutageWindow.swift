/// A stretch of time when jobs fail (storage or an upstream service is down): every job running in it fails soon
/// after the outage starts or after it starts running, and its client retries once the outage is over, all at
/// about the same time, which is the retry storm.
public struct OutageWindow: Sendable, Codable, Equatable {
    public var startSeconds: Double
    public var durationSeconds: Double
    /// How long a job runs before it notices the outage and fails.
    public var failAfterSeconds: Double
    /// Retries come back spread evenly over this long after the outage ends.
    public var retrySpreadSeconds: Double

    public init(
        startSeconds: Double, durationSeconds: Double, failAfterSeconds: Double = 30, retrySpreadSeconds: Double = 120
    ) {
        self.startSeconds = startSeconds
        self.durationSeconds = durationSeconds
        self.failAfterSeconds = failAfterSeconds
        self.retrySpreadSeconds = retrySpreadSeconds
    }

    public var endSeconds: Double { startSeconds + durationSeconds }

    /// When a job started at `start` that would finish at `end` fails instead; nil when it finishes.
    func failure(start: Double, end: Double) -> Double? {
        guard end > startSeconds, start < endSeconds else { return nil }
        let failsAt = max(start, startSeconds) + failAfterSeconds
        return failsAt < end ? failsAt : nil
    }

    private enum CodingKeys: String, CodingKey {
        case startSeconds = "start_seconds"
        case durationSeconds = "duration_seconds"
        case failAfterSeconds = "fail_after_seconds"
        case retrySpreadSeconds = "retry_spread_seconds"
    }
}

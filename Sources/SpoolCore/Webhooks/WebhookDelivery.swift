import Foundation

/// Where one job's end-of-job notification stands. Queued by the store in the same write that ended the job.
public struct WebhookDelivery: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Waiting for its first try, or for its next one after a failure.
        case pending
        /// The receiver answered 2xx.
        case delivered
        /// Every try failed, or the receiver refused it for good (a 4xx other than 408, 425 and 429).
        case failed
    }

    public var job: JobID
    public var state: State
    /// Tries so far.
    public var attempts: Int
    /// When the next try is due; nil once the delivery is settled.
    public var nextAttemptAt: Date?
    /// The HTTP status of the latest try, when the receiver answered.
    public var lastStatus: Int?
    public var lastError: String?
    public var deliveredAt: Date?

    public init(
        job: JobID, state: State = .pending, attempts: Int = 0, nextAttemptAt: Date? = nil, lastStatus: Int? = nil,
        lastError: String? = nil, deliveredAt: Date? = nil
    ) {
        self.job = job
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.deliveredAt = deliveredAt
    }

    /// The delivery a store queues when a job with a callback ends.
    public static func queued(for job: JobID, now: Date) -> WebhookDelivery {
        WebhookDelivery(job: job, nextAttemptAt: now)
    }

    /// The delivery given up for good; `reason` is added to the latest error.
    public func failed(because reason: String?) -> WebhookDelivery {
        var failed = self
        failed.state = .failed
        failed.nextAttemptAt = nil
        failed.lastError = [lastError, reason].compactMap { $0 }.joined(separator: "; ")
        return failed
    }

    enum CodingKeys: String, CodingKey {
        case job, state, attempts
        case nextAttemptAt = "next_attempt_at"
        case lastStatus = "last_status"
        case lastError = "last_error"
        case deliveredAt = "delivered_at"
    }
}

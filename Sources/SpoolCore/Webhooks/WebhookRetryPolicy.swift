import Foundation

/// How a webhook sender reacts to what a try got back. Retrying is safe here because every try of a delivery
/// carries the same `Spool-Delivery` ID, so a receiver that saw it already can ignore it.
public struct WebhookRetryPolicy: Sendable, Equatable {
    /// Tries in all (the first included) and the capped exponential backoff between them.
    public var backoff: RetryPolicy
    public var maxAttempts: Int { backoff.maxAttempts }

    /// 10 tries over about 40 minutes at most: long enough to ride out a receiver's deploy or restart.
    public init(maxAttempts: Int = 10, baseDelay: Duration = .seconds(2), maxDelay: Duration = .seconds(600)) {
        backoff = RetryPolicy(maxAttempts: maxAttempts, baseDelay: baseDelay, maxDelay: maxDelay)
    }

    /// What one try got back.
    public enum Outcome: Sendable, Equatable {
        case answered(status: Int)
        /// No HTTP answer: refused, reset, timed out, or refused by Spool's own address rules.
        case unreachable(String)
        /// The address rules forbid the callback's host; trying again cannot help.
        case forbidden(String)
    }

    /// The delivery after a try that ended with `outcome`. `jitter` in 0…1 spreads the retries of many deliveries
    /// that failed together (equal jitter: the wait is between half and all of the backoff).
    public func next(
        after outcome: Outcome, delivery: WebhookDelivery, now: Date, jitter: Double
    ) -> WebhookDelivery {
        var next = delivery
        next.attempts += 1
        switch outcome {
        case .answered(let status) where (200..<300).contains(status):
            next.state = .delivered
            next.lastStatus = status
            next.lastError = nil
            next.deliveredAt = now
            next.nextAttemptAt = nil
            return next
        case .answered(let status):
            next.lastStatus = status
            next.lastError = "the receiver answered HTTP \(status)"
            if !Self.isWorthRetrying(status: status) {
                return next.failed(because: "HTTP \(status) is not retried")
            }
        case .unreachable(let reason):
            next.lastStatus = nil
            next.lastError = reason
        case .forbidden(let reason):
            next.lastStatus = nil
            next.lastError = reason
            return next.failed(because: nil)
        }
        guard next.attempts < maxAttempts else {
            return next.failed(because: "gave up after \(next.attempts) tries")
        }
        next.nextAttemptAt = now.addingTimeInterval(delay(afterFailures: next.attempts, jitter: jitter).seconds)
        return next
    }

    /// The wait before the try that follows `failures` failed ones: between half and all of the backoff.
    public func delay(afterFailures failures: Int, jitter: Double) -> Duration {
        let backoff = backoff.delay(afterFailures: failures)
        return backoff / 2 + backoff * (min(max(jitter, 0), 1) / 2)
    }

    /// Timeouts, "too early", throttling and server errors may pass; any other 4xx says the request itself is wrong.
    public static func isWorthRetrying(status: Int) -> Bool {
        status == 408 || status == 425 || status == 429 || status >= 500
    }
}

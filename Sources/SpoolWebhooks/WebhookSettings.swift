import Foundation
import SpoolCore

/// How a process sends webhooks. The defaults suit a receiver that is usually up and sometimes redeploys.
public struct WebhookSettings: Sendable, Equatable {
    public var retry: WebhookRetryPolicy
    /// How long one try may take, connect to last byte.
    public var timeout: Duration
    /// How often the outbox is asked for due deliveries.
    public var pollInterval: Duration
    /// Deliveries in flight at once.
    public var concurrency: Int
    /// How long a taken delivery is this sender's before another may take it (longer than `timeout`).
    public var lease: Duration
    /// Consecutive failures to one host that open its circuit, and how long it stays open.
    public var breakerFailures: Int
    public var breakerCoolDown: Duration
    /// Lets callbacks reach loopback, private and link-local addresses (tests, trusted networks), as for inputs.
    public var allowPrivateNetworks: Bool

    public init(
        retry: WebhookRetryPolicy = WebhookRetryPolicy(), timeout: Duration = .seconds(10),
        pollInterval: Duration = .seconds(1), concurrency: Int = 16, lease: Duration = .seconds(60),
        breakerFailures: Int = 5, breakerCoolDown: Duration = .seconds(30), allowPrivateNetworks: Bool = false
    ) {
        self.retry = retry
        self.timeout = timeout
        self.pollInterval = pollInterval
        self.concurrency = max(1, concurrency)
        self.lease = max(lease, timeout + .seconds(5))
        self.breakerFailures = max(1, breakerFailures)
        self.breakerCoolDown = breakerCoolDown
        self.allowPrivateNetworks = allowPrivateNetworks
    }
}

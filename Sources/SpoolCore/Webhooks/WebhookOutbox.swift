import Foundation

/// The durable queue of webhook deliveries. A store fills it in the same write that ends a job whose spec names a
/// callback (`JobEffect.deliverWebhook`), so a notification is never lost between the job's end and its delivery.
public protocol WebhookOutbox: Sendable {
    /// Takes up to `limit` deliveries due at `now` and leases them to the caller for `lease`: another sender (or
    /// this one after a crash) sees them again only once the lease is over. Delivery is at least once; receivers
    /// tell repeats apart by the `Spool-Delivery` header.
    func claimDueWebhooks(now: Date, limit: Int, lease: Duration) async throws -> [WebhookDelivery]
    /// Records what a try achieved: a pending delivery comes due again at its `nextAttemptAt`; a delivered or
    /// failed one leaves the queue and stays readable.
    func recordWebhook(_ delivery: WebhookDelivery) async throws
    func webhookDelivery(for job: JobID) async throws -> WebhookDelivery?
}

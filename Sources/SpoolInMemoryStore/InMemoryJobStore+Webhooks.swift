import Foundation
import SpoolCore

/// The webhook outbox: a delivery is queued in the same step that ends its job, leased to one sender at a time,
/// and kept, readable, once settled.
extension InMemoryJobStore {
    public func claimDueWebhooks(now: Date, limit: Int, lease: Duration) async throws -> [WebhookDelivery] {
        let leasedUntil = now.addingTimeInterval(lease.seconds)
        let due = unsettledWebhooks.compactMap { outbox[$0] }
            .filter { entry in entry.dueAt.map { $0 <= now } ?? false }
            .sorted { ($0.dueAt ?? now, $0.write) < ($1.dueAt ?? now, $1.write) }
            .prefix(max(1, limit))
        // Leased: no sender sees them again until the lease is over, unless a sender records them first.
        for entry in due { outbox[entry.delivery.job]?.dueAt = leasedUntil }
        return due.map(\.delivery)
    }

    public func recordWebhook(_ delivery: WebhookDelivery) async throws {
        queueWebhook(delivery)
    }

    public func webhookDelivery(for job: JobID) async throws -> WebhookDelivery? {
        outbox[job]?.delivery
    }

    /// Replaces a job's delivery: a pending one is due at its next attempt (now when it names none, as in
    /// SQLite), a settled one is due never.
    func queueWebhook(_ delivery: WebhookDelivery) {
        let dueAt = delivery.state == .pending ? (delivery.nextAttemptAt ?? clock()) : nil
        outboxWrites += 1
        outbox[delivery.job] = OutboxEntry(delivery: delivery, dueAt: dueAt, write: outboxWrites)
        if dueAt == nil {
            unsettledWebhooks.remove(delivery.job)
        } else {
            unsettledWebhooks.insert(delivery.job)
        }
    }
}

/// One job's delivery in the outbox.
struct OutboxEntry: Sendable {
    var delivery: WebhookDelivery
    /// When a sender may take it next: its next attempt, or the end of a sender's lease; nil once settled.
    var dueAt: Date?
    /// The outbox write that stored it: among deliveries due at once, the earlier write goes first.
    var write: Int
}

import Foundation
import GRDB
import SpoolCore

extension SQLiteJobStore {
    public func claimDueWebhooks(now: Date, limit: Int, lease: Duration) async throws -> [WebhookDelivery] {
        let nowSeconds = now.timeIntervalSince1970
        let leasedUntil = nowSeconds + lease.seconds
        // Senders poll every second; a read first keeps an idle outbox from taking the write lock each time.
        let anyDue = try await read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM webhooks WHERE due_at <= ?)", arguments: [nowSeconds]) ?? false
        }
        guard anyDue else { return [] }
        return try await write { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT job_id, body FROM webhooks WHERE due_at <= ? ORDER BY due_at LIMIT ?",
                arguments: [nowSeconds, max(1, limit)])
            return try rows.map { row in
                try db.execute(
                    sql: "UPDATE webhooks SET due_at = ? WHERE job_id = ?",
                    arguments: [leasedUntil, row["job_id"] as String])
                return try StoredJSON.decode(WebhookDelivery.self, from: row["body"], what: "webhook delivery")
            }
        }
    }

    public func recordWebhook(_ delivery: WebhookDelivery) async throws {
        try await write { db in try Self.queueWebhook(delivery, db) }
    }

    public func webhookDelivery(for job: JobID) async throws -> WebhookDelivery? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT body FROM webhooks WHERE job_id = ?", arguments: [job.rawValue])
                .map { try StoredJSON.decode(WebhookDelivery.self, from: $0, what: "webhook delivery") }
        }
    }

    static func queueWebhook(_ delivery: WebhookDelivery, _ db: Database) throws {
        let due: Double? = delivery.state == .pending ? (delivery.nextAttemptAt ?? Date()).timeIntervalSince1970 : nil
        try db.execute(
            sql: "INSERT OR REPLACE INTO webhooks (job_id, due_at, body) VALUES (?, ?, ?)",
            arguments: [delivery.job.rawValue, due, try StoredJSON.encode(delivery)])
    }
}

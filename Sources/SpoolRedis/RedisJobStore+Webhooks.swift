import Foundation
import RESPClient
import SpoolCore

extension RedisJobStore {
    public func claimDueWebhooks(now: Date, limit: Int, lease: Duration) async throws -> [WebhookDelivery] {
        let nowMillis = Self.millis(now)
        let leaseEnd = Self.millis(now.addingTimeInterval(lease.seconds))
        var claimed: [WebhookDelivery] = []
        for shard in 0..<keys.shards where claimed.count < limit {
            let ids =
                try await call {
                    try await client.run(
                        script: RedisScripts.claimWebhooks, keys: [.init(keys.webhooks(shard: shard))],
                        arguments: [.init(nowMillis), .init(limit - claimed.count), .init(leaseEnd)])
                }.array?.compactMap(\.string) ?? []
            guard !ids.isEmpty else { continue }
            let replies = try await client.pipeline(ids.map { ["HGET", .init(keys.job(JobID(rawValue: $0))), "wh"] })
            for (id, reply) in zip(ids, replies) {
                if let body = try reply.mapError(StoreError.from).get().string {
                    claimed.append(try StoredJSON.decode(WebhookDelivery.self, from: body, what: "webhook delivery"))
                } else {
                    // The job was deleted; its delivery has nothing left to announce.
                    try await recordWebhook(
                        WebhookDelivery(job: JobID(rawValue: id)).failed(because: "the job is gone"))
                }
            }
        }
        return claimed
    }

    public func recordWebhook(_ delivery: WebhookDelivery) async throws {
        let shard = keys.shard(of: delivery.job)
        let due = delivery.state == .pending ? String(Self.millis(delivery.nextAttemptAt ?? Date())) : ""
        try await call {
            try await client.run(
                script: RedisScripts.recordWebhook,
                keys: [.init(keys.job(delivery.job)), .init(keys.webhooks(shard: shard))],
                arguments: [.init(try StoredJSON.encode(delivery)), .init(due), .init(delivery.job.rawValue)])
        }
    }

    public func webhookDelivery(for job: JobID) async throws -> WebhookDelivery? {
        try await call { try await client.send(["HGET", .init(keys.job(job)), "wh"]) }.string.map {
            try StoredJSON.decode(WebhookDelivery.self, from: $0, what: "webhook delivery")
        }
    }
}

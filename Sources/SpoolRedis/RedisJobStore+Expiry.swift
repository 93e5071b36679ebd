import Foundation
import RESPClient
import SpoolCore

extension RedisJobStore {
    public func expiredJobs(now: Date, limit: Int) async throws -> [Job] {
        guard limit > 0 else { return [] }
        let ranges: [[RESPArgument]] = (0..<keys.shards).map {
            [
                "ZRANGEBYSCORE", .init(keys.expiry(shard: $0)), "-inf", .init(Self.millis(now)), "LIMIT", "0",
                .init(limit),
            ]
        }
        let ids = try await pipelined(ranges).flatMap { $0.array?.compactMap(\.string) ?? [] }
        let jobs = try await readMany(ids).map(\.job)
        return Array(
            jobs.sorted { ($0.expiresAt ?? now, $0.id.rawValue) < ($1.expiresAt ?? now, $1.id.rawValue) }.prefix(limit))
    }

    public func jobsReading(upload: UploadID, other job: JobID) async throws -> Int {
        let replies = try await pipelined([
            ["SCARD", .init(keys.readers(of: upload))],
            ["SISMEMBER", .init(keys.readers(of: upload)), .init(job.rawValue)],
        ])
        return (replies[0].int ?? 0) - (replies[1].int ?? 0)
    }

    public func deleteExpired(_ id: JobID, now: Date) async throws -> Bool {
        guard let current = try await read(id) else { return false }
        let job = current.job
        guard job.state.isTerminal, let expiresAt = job.expiresAt, expiresAt <= now else { return false }
        // The lists live in another slot: the job leaves them first, so a pass cut short leaves a job that is not
        // listed but still found (and deleted) by the next pass, never a listing of a job that is gone.
        try await unindex(job)
        let shard = keys.shard(of: id)
        let field = job.spec.idempotencyKey.map { job.spec.tenant.rawValue + "\u{1}" + $0 } ?? ""
        let deleted = try await call {
            try await client.run(
                script: RedisScripts.deleteExpired,
                keys: [
                    .init(keys.job(id)), .init(keys.expiry(shard: shard)), .init(keys.webhooks(shard: shard)),
                    .init(keys.explanation(id)), .init(keys.idempotency(shard: shard)),
                    .init(keys.idempotencyTimes(shard: shard)),
                ],
                arguments: [.init(id.rawValue), .init(Self.millis(now)), .init(field)])
        }
        guard deleted.int == 1 else {
            // Retried in the meantime: it stays, and so do its list entries.
            if let kept = try await read(id) {
                try await index(
                    id, sequence: kept.sequence, tenant: kept.job.spec.tenant, from: nil, to: kept.job.state)
                try await indexInput(of: kept.job)
            }
            return false
        }
        return true
    }

    /// Records which upload a job reads, so the upload is deleted only with the last job that reads it.
    func indexInput(of job: Job) async throws {
        guard case .upload(let upload) = job.spec.input else { return }
        try await call { try await client.send(["SADD", .init(keys.readers(of: upload)), .init(job.id.rawValue)]) }
    }

    private func unindex(_ job: Job) async throws {
        var commands: [[RESPArgument]] = [
            ["ZREM", .init(keys.allJobs), .init(job.id.rawValue)],
            ["ZREM", .init(keys.state(job.state)), .init(job.id.rawValue)],
            ["ZREM", .init(keys.state(job.state, tenant: job.spec.tenant)), .init(job.id.rawValue)],
        ]
        if case .upload(let upload) = job.spec.input {
            commands.append(["SREM", .init(keys.readers(of: upload)), .init(job.id.rawValue)])
        }
        _ = try await pipelined(commands)
    }
}

import Foundation
import GRDB
import SpoolCore

extension SQLiteJobStore {
    public func expiredJobs(now: Date, limit: Int) async throws -> [Job] {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, expires_at, body FROM jobs WHERE expires_at IS NOT NULL AND expires_at <= ?
                    ORDER BY expires_at, id LIMIT ?
                    """,
                arguments: [now.timeIntervalSince1970, max(limit, 0)])
            return try rows.map { row in
                let id: String = row["id"]
                var job = try StoredJSON.decode(Job.self, from: row["body"] as String, what: "job \(id)")
                // Jobs that finished before retention existed carry their window only in the column.
                job.expiresAt = job.expiresAt ?? Date(timeIntervalSince1970: row["expires_at"])
                return job
            }
        }
    }

    public func jobsReading(upload: UploadID, other job: JobID) async throws -> Int {
        let input = InputSource.upload(upload).description
        return try await read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM jobs WHERE json_extract(body, '$.spec.input') = ? AND id != ?",
                arguments: [input, job.rawValue]) ?? 0
        }
    }

    public func deleteExpired(_ id: JobID, now: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: """
                    DELETE FROM jobs WHERE id = ? AND expires_at IS NOT NULL AND expires_at <= ?
                        AND state IN ('succeeded', 'failed', 'cancelled')
                    """,
                arguments: [id.rawValue, now.timeIntervalSince1970])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM placement_explanations WHERE job_id = ?", arguments: [id.rawValue])
            try db.execute(sql: "DELETE FROM webhooks WHERE job_id = ?", arguments: [id.rawValue])
            return true
        }
    }
}

import GRDB
import SpoolCore

/// Reads of whole jobs, shared by the store's operations.
enum JobQueries {
    static func job(_ db: Database, id: JobID) throws -> Job? {
        guard
            let body = try String.fetchOne(
                db.cachedStatement(sql: "SELECT body FROM jobs WHERE id = ?"), arguments: [id.rawValue])
        else { return nil }
        return try StoredJobs.decode(body, id: id.rawValue, what: "job \(id)")
    }

    static func job(_ db: Database, tenant: TenantID, idempotencyKey: String) throws -> Job? {
        guard
            let body = try String.fetchOne(
                db.cachedStatement(sql: "SELECT body FROM jobs WHERE tenant = ? AND idempotency_key = ?"),
                arguments: [tenant.rawValue, idempotencyKey])
        else { return nil }
        return try StoredJSON.decode(Job.self, from: body, what: "job with idempotency key \(idempotencyKey)")
    }

    /// The job that must be read for a write, or `jobNotFound`.
    static func existing(_ db: Database, id: JobID) throws -> Job {
        guard let job = try job(db, id: id) else { throw StoreError.jobNotFound(id) }
        return job
    }
}

import Foundation
import GRDB
import SpoolCore

/// A job as one `jobs` row. Every column is derived from the job itself, so the queryable columns and the JSON
/// body cannot disagree.
struct JobRow {
    var id: String
    var tenant: String
    var state: String
    var priority: Int
    var serviceClass: String
    var pool: String?
    var idempotencyKey: String?
    var createdAt: Double
    var updatedAt: Double
    var notBefore: Double
    var leaseExpiresAt: Double?
    var worker: String?
    var attempt: Int
    var placedWorker: String?
    var expiresAt: Double?
    var body: String

    init(_ job: Job) throws {
        id = job.id.rawValue
        tenant = job.spec.tenant.rawValue
        state = job.state.rawValue
        priority = job.spec.priority
        serviceClass = job.spec.serviceClass.rawValue
        pool = job.spec.pool
        idempotencyKey = job.spec.idempotencyKey
        createdAt = job.createdAt.timeIntervalSince1970
        updatedAt = job.updatedAt.timeIntervalSince1970
        notBefore = job.notBefore.timeIntervalSince1970
        leaseExpiresAt = job.leaseExpiresAt?.timeIntervalSince1970
        worker = job.worker?.rawValue
        attempt = job.attempt
        placedWorker = job.state == .queued ? job.placement?.worker.rawValue : nil
        expiresAt = job.expiresAt?.timeIntervalSince1970
        body = try StoredJSON.encode(job)
        // The next read of this row (a heartbeat reads its job twice a second) finds the job without decoding it.
        StoredJobs.memo.remember(job, text: body, key: id)
    }

    func insert(_ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO jobs (id, tenant, state, priority, service_class, pool, idempotency_key, created_at,
                    updated_at, not_before, lease_expires_at, worker, attempt, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                id, tenant, state, priority, serviceClass, pool, idempotencyKey, createdAt, updatedAt, notBefore,
                leaseExpiresAt, worker, attempt, body,
            ])
    }

    /// Rewrites every mutable column. Of the spec's columns only the pool changes after submit (overload may move a
    /// job to another pool); tenant, key and priority never do.
    func update(_ db: Database) throws {
        try db.cachedStatement(
            sql: """
                UPDATE jobs SET state = ?, updated_at = ?, not_before = ?, lease_expires_at = ?, worker = ?,
                    attempt = ?, placed_worker = ?, pool = ?, expires_at = ?, body = ?, version = version + 1
                WHERE id = ?
                """
        ).execute(
            arguments: [
                state, updatedAt, notBefore, leaseExpiresAt, worker, attempt, placedWorker, pool, expiresAt, body, id,
            ])
    }

    /// A heartbeat changes only the lease, progress and update time, none of them indexed, so this most frequent
    /// write rewrites the row and touches no index.
    func updateLease(_ db: Database) throws {
        try db.cachedStatement(
            sql: "UPDATE jobs SET updated_at = ?, lease_expires_at = ?, body = ?, version = version + 1 WHERE id = ?"
        ).execute(
            arguments: [updatedAt, leaseExpiresAt, body, id])
    }
}

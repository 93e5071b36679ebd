import Foundation
import GRDB
import SpoolCore

/// The embedded job store: one SQLite file in WAL mode that every Spool process of a deployment opens.
///
/// Each change runs as one `BEGIN IMMEDIATE` transaction that reads the job, asks `JobLifecycle` for the next state
/// and writes it back. Writers are serialized, inside this process by the pool's single writer connection and across
/// processes by SQLite's write lock (waited on for up to `busyTimeout`), so two claimers can never take the same
/// attempt and a late worker can never overwrite a newer one. Reads run concurrently on WAL snapshots.
public final class SQLiteJobStore: JobStore {
    /// How long a write waits for another process's write lock before the store reports itself unavailable.
    public static let busyTimeout: Duration = .seconds(5)

    private let database: DatabasePool
    private let lifecycle: JobLifecycle
    /// Worker records as last decoded: the scheduler reads them all several times a second.
    private let workerMemo = StoredJSONMemo<WorkerRecord>()

    /// Opens (creating if needed) the store at `path` and brings its schema up to date. The directory must exist.
    public init(path: String, lifecycle: JobLifecycle = JobLifecycle()) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout.seconds)
        configuration.foreignKeysEnabled = true
        configuration.label = "spool.jobs"
        self.lifecycle = lifecycle
        do {
            database = try OpenLock.withLock(beside: path) {
                let database = try DatabasePool(path: path, configuration: configuration)
                let migrator = SQLiteSchema.migrator
                // A file migrated by a newer Spool has tables this build does not know how to keep in sync.
                if try database.read({ try migrator.hasBeenSuperseded($0) }) {
                    throw StoreError.unavailable("\(path) was written by a newer version of Spool")
                }
                try migrator.migrate(database)
                return database
            }
        } catch {
            throw SQLiteErrors.storeError(error)
        }
    }

    /// Closes the file. Later calls throw `StoreError.unavailable`.
    public func close() throws {
        do { try database.close() } catch { throw SQLiteErrors.storeError(error) }
    }

    // MARK: - Jobs

    public func submit(_ spec: JobSpec, maxQueued: Int?, now: Date) async throws -> (job: Job, created: Bool) {
        let result = try await write { db -> SubmitResult in
            // The write transaction holds the database's write lock from its first statement, so the lookup, the
            // quota count and the insert cannot interleave with another submit; the unique index backs this up.
            var freedKey: JobID?
            if let key = spec.idempotencyKey,
                let existing = try JobQueries.job(db, tenant: spec.tenant, idempotencyKey: key)
            {
                guard now.timeIntervalSince(existing.createdAt) >= JobSpec.idempotencyWindow else {
                    return SubmitResult(job: existing, created: false)
                }
                freedKey = existing.id
            }
            if let maxQueued {
                let queued =
                    try Int.fetchOne(
                        db.cachedStatement(
                            sql: "SELECT COUNT(*) FROM jobs WHERE tenant = ? AND state = 'queued' "
                                + "AND (idempotency_key IS NULL OR substr(idempotency_key, 1, ?) != ?)"),
                        // A segmented job's tasks (keys no client may use) are its own work, not submissions.
                        arguments: [
                            spec.tenant.rawValue, JobSpec.segmentTaskKeyPrefix.count, JobSpec.segmentTaskKeyPrefix,
                        ]) ?? 0
                if queued >= maxQueued {
                    throw StoreError.quotaExceeded(QuotaCheck.queued(maxQueued: maxQueued, queued: queued))
                }
            }
            if let freedKey {
                // Past the window the key is free again: the old job keeps its record, not the key.
                try db.execute(
                    sql: "UPDATE jobs SET idempotency_key = NULL WHERE id = ?", arguments: [freedKey.rawValue])
            }
            let job = Job(id: JobID.generate(), spec: spec, now: now)
            try JobRow(job).insert(db)
            return SubmitResult(job: job, created: true)
        }
        return (result.job, result.created)
    }

    public func job(_ id: JobID) async throws -> Job? {
        try await read { db in try JobQueries.job(db, id: id) }
    }

    public func list(_ filter: JobFilter) async throws -> JobPage {
        let limit = min(max(filter.limit, 1), 500)
        var clauses: [String] = []
        var arguments = StatementArguments()
        if let tenant = filter.tenant {
            clauses.append("tenant = ?")
            arguments += [tenant.rawValue]
        }
        if let state = filter.state {
            clauses.append("state = ?")
            arguments += [state.rawValue]
        }
        if let cursor = filter.cursor {
            clauses.append("seq < ?")
            arguments += [try ListCursor.decode(cursor)]
        }
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        // One row beyond the page tells whether another page exists, so the last page carries no cursor.
        arguments += [limit + 1]
        let sql = "SELECT seq, id, body FROM jobs \(whereClause) ORDER BY seq DESC LIMIT ?"
        let finalArguments = arguments
        return try await read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: finalArguments)
            var jobs: [Job] = []
            var lastSeq: Int64?
            for row in rows.prefix(limit) {
                let seq: Int64 = row["seq"]
                jobs.append(try StoredJobs.decode(row["body"], id: row["id"], what: "job #\(seq)"))
                lastSeq = seq
            }
            let nextCursor = rows.count > limit ? lastSeq.map { ListCursor.encode(seq: $0) } : nil
            return JobPage(jobs: jobs, nextCursor: nextCursor)
        }
    }

    public func countByState() async throws -> [JobState: Int] {
        try await read { db in
            var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state"))
            {
                let name: String = row["state"]
                guard let state = JobState(rawValue: name) else {
                    throw StoreError.corrupt("jobs table holds unknown state \(name)")
                }
                counts[state] = row["n"]
            }
            return counts
        }
    }

    // MARK: - Lifecycle

    public func claimNext(
        worker: WorkerID, pool: String, acceptsUnpinned: Bool, leaseDuration: Duration, now: Date
    ) async throws -> Job? {
        let lifecycle = lifecycle
        return try await write { db -> Job? in
            guard let job = try ClaimQuery.next(db, pool: pool, acceptsUnpinned: acceptsUnpinned, now: now) else {
                return nil
            }
            let event = JobEvent.claim(worker: worker, pool: pool, leaseDuration: leaseDuration)
            let transition = try Self.transition(lifecycle, event, job, now)
            try Self.persist(transition, db, now: now)
            return transition.job
        }
    }

    @discardableResult
    public func apply(_ event: JobEvent, to id: JobID, now: Date) async throws -> Transition {
        let lifecycle = lifecycle
        return try await write { db in
            let transition = try Self.transition(lifecycle, event, try JobQueries.existing(db, id: id), now)
            try Self.persist(transition, db, now: now)
            return transition
        }
    }

    public func heartbeat(
        _ lease: Lease, progress: TranscodeProgress?, leaseDuration: Duration, now: Date
    ) async throws -> HeartbeatReply {
        let lifecycle = lifecycle
        return try await write { db in
            let job = try JobQueries.existing(db, id: lease.job)
            // Checked before the lease: a cancelled job's lease is dead too, but the worker should learn why.
            if job.state == .cancelled { return .cancelled }
            let event = JobEvent.heartbeat(lease, progress: progress, leaseDuration: leaseDuration)
            guard let transition = try? lifecycle.apply(event, to: job, now: now) else { return .leaseLost }
            try JobRow(transition.job).updateLease(db)
            return .proceed
        }
    }

    public func recoverLeases(now: Date, deadWorkers: Set<WorkerID>) async throws -> [Transition] {
        let lifecycle = lifecycle
        let deadNames = Set(deadWorkers.map(\.rawValue))
        return try await write { db in
            // Narrow on columns first so only the jobs that qualify are decoded. `<=` on the rounded column lets
            // through the rare job whose exact expiry equals `now`; the exact check below drops it.
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT id, worker, lease_expires_at FROM jobs WHERE state = 'running' ORDER BY seq"))
            var transitions: [Transition] = []
            for row in rows {
                let worker: String? = row["worker"]
                let expiresAt: Double? = row["lease_expires_at"]
                let workerIsDead = worker.map { deadNames.contains($0) } ?? false
                guard workerIsDead || (expiresAt.map { $0 <= now.timeIntervalSince1970 } ?? false) else { continue }
                let job = try JobQueries.existing(db, id: JobID(rawValue: row["id"]))
                guard workerIsDead || (job.leaseExpiresAt.map { $0 < now } ?? false) else { continue }
                let transition = try Self.transition(lifecycle, .leaseExpired, job, now)
                try Self.persist(transition, db, now: now)
                transitions.append(transition)
            }
            return transitions
        }
    }

    // MARK: - Placement

    public func waitingForPlacement(now: Date, limit: Int, pools: Set<String>) async throws -> [QueuedJob] {
        let limit = max(1, limit)
        let poolList = pools.sorted()
        let poolCondition =
            poolList.isEmpty
            ? "pool IS NULL" : "(pool IS NULL OR pool IN (\(poolList.map { _ in "?" }.joined(separator: ", "))))"
        return try await read { db in
            var waiting: [QueuedJob] = []
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT version, id, body FROM jobs
                        WHERE state = 'queued' AND placed_worker IS NULL AND not_before <= ? AND \(poolCondition)
                        ORDER BY priority DESC, created_at, seq
                        """),
                arguments: StatementArguments(
                    [now.timeIntervalSince1970] + poolList.map { $0 as (any DatabaseValueConvertible) }))
            while waiting.count < limit, let row = try rows.next() {
                let job = try StoredJobs.decode(row["body"], id: row["id"], what: "queued job")
                if job.notBefore <= now && job.placement == nil {
                    waiting.append(QueuedJob(job, version: row["version"]))
                }
            }
            return waiting
        }
    }

    public func holdingResources() async throws -> [Job] {
        try await read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, body FROM jobs
                        WHERE state = 'running' OR (state = 'queued' AND placed_worker IS NOT NULL)
                        """)
            ).map { try StoredJobs.decode($0["body"], id: $0["id"], what: "job holding resources") }
        }
    }

    public func commitPlacements(_ commits: [PlacementCommit], now: Date) async throws -> [PlacementCommitOutcome] {
        guard !commits.isEmpty else { return [] }
        let lifecycle = lifecycle
        return try await write { db in
            try commits.map { commit -> PlacementCommitOutcome in
                guard
                    let row = try Row.fetchOne(
                        db.cachedStatement(sql: "SELECT version, body FROM jobs WHERE id = ?"),
                        arguments: [commit.job.rawValue]),
                    (row["version"] as Int) == commit.version
                else { return .stale }
                let job = try StoredJobs.decode(row["body"], id: commit.job.rawValue, what: "job \(commit.job)")
                guard let transition = try? lifecycle.apply(.place(commit.placement), to: job, now: now) else {
                    return .stale
                }
                try Self.persist(transition, db, now: now)
                return .committed
            }
        }
    }

    public func claimPlaced(worker: WorkerID, pool: String, leaseDuration: Duration, now: Date) async throws -> Job? {
        let lifecycle = lifecycle
        return try await write { db -> Job? in
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT id, body FROM jobs
                        WHERE state = 'queued' AND placed_worker = ? AND not_before <= ?
                        ORDER BY priority DESC, created_at, seq
                        """),
                arguments: [worker.rawValue, now.timeIntervalSince1970])
            while let row = try rows.next() {
                let job = try StoredJobs.decode(row["body"], id: row["id"], what: "placed job")
                guard job.notBefore <= now else { continue }
                let event = JobEvent.claim(worker: worker, pool: pool, leaseDuration: leaseDuration)
                let transition = try Self.transition(lifecycle, event, job, now)
                try Self.persist(transition, db, now: now)
                return transition.job
            }
            return nil
        }
    }

    public func savePlacementExplanation(_ json: String, for job: JobID) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO placement_explanations (job_id, body) VALUES (?, ?)
                    ON CONFLICT(job_id) DO UPDATE SET body = excluded.body
                    """,
                arguments: [job.rawValue, json])
        }
    }

    public func placementExplanation(for job: JobID) async throws -> String? {
        try await read { db in
            try String.fetchOne(
                db.cachedStatement(sql: "SELECT body FROM placement_explanations WHERE job_id = ?"),
                arguments: [job.rawValue])
        }
    }

    // MARK: - Workers

    public func upsertWorker(_ worker: WorkerRecord) async throws {
        let body = try StoredJSON.encode(worker)
        try await write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO workers (id, pool, heartbeat_at, body) VALUES (?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET
                        pool = excluded.pool, heartbeat_at = excluded.heartbeat_at, body = excluded.body
                    """
            ).execute(
                arguments: [worker.id.rawValue, worker.pool, worker.heartbeatAt.timeIntervalSince1970, body])
        }
        // A worker registers every 2 s with a new heartbeat time, and the scheduler reads it five times a second:
        // the record just written is the decoding of its text (stored values read back equal).
        workerMemo.remember(worker, text: body, key: worker.id.rawValue)
    }

    public func removeWorker(_ id: WorkerID) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM workers WHERE id = ?", arguments: [id.rawValue])
        }
    }

    public func workers() async throws -> [WorkerRecord] {
        let memo = workerMemo
        let records = try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT id, body FROM workers ORDER BY pool, id")).map { row in
                let id: String = row["id"]
                return (id, try memo.decode(row["body"], key: id, what: "worker record"))
            }
        }
        memo.keepOnly(Set(records.map(\.0)))
        return records.map(\.1)
    }

    public func ping() async throws {
        _ = try await read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT 1")) }
    }

    // MARK: - Plumbing

    /// `(Job, Bool)` is not Sendable as a tuple result of a database closure; this is.
    private struct SubmitResult: Sendable {
        var job: Job
        var created: Bool
    }

    private static func transition(
        _ lifecycle: JobLifecycle, _ event: JobEvent, _ job: Job, _ now: Date
    ) throws -> Transition {
        do {
            return try lifecycle.apply(event, to: job, now: now)
        } catch {
            throw StoreError.lifecycle(error)
        }
    }

    /// Writes a transition's job, and queues its webhook in the same transaction when the transition asks for one.
    static func persist(_ transition: Transition, _ db: Database, now: Date) throws {
        try JobRow(transition.job).update(db)
        if transition.effects.contains(.deliverWebhook) {
            try queueWebhook(.queued(for: transition.job.id, now: now), db)
        }
    }

    /// One write transaction (`BEGIN IMMEDIATE`, as GRDB opens for writes), errors mapped to `StoreError`.
    func write<T: Sendable>(_ updates: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.write(updates)
        } catch {
            throw SQLiteErrors.storeError(error)
        }
    }

    func read<T: Sendable>(_ value: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.read(value)
        } catch {
            throw SQLiteErrors.storeError(error)
        }
    }
}

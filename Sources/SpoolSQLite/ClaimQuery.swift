import Foundation
import GRDB
import SpoolCore

/// Finds the job a claimer should take: queued, past its backoff, on the claimer's pool (or unpinned when the
/// claimer accepts that), highest priority first, then oldest.
enum ClaimQuery {
    private struct Candidate {
        var job: Job
        var seq: Int64

        /// Whether this candidate goes before `other` in claim order.
        func precedes(_ other: Candidate) -> Bool {
            if job.spec.priority != other.job.spec.priority { return job.spec.priority > other.job.spec.priority }
            if job.createdAt != other.job.createdAt { return job.createdAt < other.job.createdAt }
            return seq < other.seq
        }
    }

    static func next(_ db: Database, pool: String, acceptsUnpinned: Bool, now: Date) throws -> Job? {
        // Two index walks rather than `pool = ? OR pool IS NULL`: each follows `jobs_claim` in order and stops at
        // its first row, where the OR would make SQLite collect and sort every queued job of both kinds.
        var best = try first(db, poolCondition: "pool = ?", arguments: [pool], now: now)
        if acceptsUnpinned, let unpinned = try first(db, poolCondition: "pool IS NULL", arguments: [], now: now) {
            if best.map({ unpinned.precedes($0) }) ?? true { best = unpinned }
        }
        return best?.job
    }

    private static func first(
        _ db: Database, poolCondition: String, arguments: StatementArguments, now: Date
    ) throws -> Candidate? {
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT seq, id, body FROM jobs
                    WHERE state = 'queued' AND \(poolCondition) AND placed_worker IS NULL AND not_before <= ?
                    ORDER BY priority DESC, created_at, seq
                    """),
            arguments: arguments + [now.timeIntervalSince1970])
        while let row = try rows.next() {
            let seq: Int64 = row["seq"]
            let job = try StoredJobs.decode(row["body"], id: row["id"], what: "queued job #\(seq)")
            // The column holds seconds since 1970, which can round a hair below the exact date; the job's own
            // date decides, so the lifecycle never refuses what the query picked.
            if job.notBefore <= now { return Candidate(job: job, seq: seq) }
        }
        return nil
    }
}

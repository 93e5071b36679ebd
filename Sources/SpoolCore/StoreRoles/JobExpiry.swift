import Foundation

/// Finding and deleting finished jobs whose retention ended. The retention service deletes a job's files first and
/// its record last, so a pass cut short leaves the record to find again; every step can be repeated.
public protocol JobExpiry: Sendable {
    /// Finished jobs whose `expiresAt` is at or before `now`, soonest expired first, at most `limit`.
    func expiredJobs(now: Date, limit: Int) async throws -> [Job]
    /// How many jobs other than `job`, in any state, read the upload `upload`: it is deleted only with the last.
    func jobsReading(upload: UploadID, other job: JobID) async throws -> Int
    /// Deletes the job's record and everything the store keeps for it (indexes, placement explanation, webhook
    /// delivery, idempotency key), but only while it is still finished and expired at `now`: a job retried in the
    /// meantime is kept. True when it was deleted.
    func deleteExpired(_ id: JobID, now: Date) async throws -> Bool
}

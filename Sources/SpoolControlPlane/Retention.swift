import Foundation
import SpoolCore

/// What expiring one finished job deletes, decided without I/O. Files go first and the record last, so a pass cut
/// short (a crash, the storage down) leaves the record for the next pass to find, and every step may be repeated.
/// A job that is not finished, or not expired at `now`, is never touched.
public enum Retention {
    public enum Action: Sendable, Equatable {
        /// Every object under the job's outputs (all attempts).
        case deleteOutputs(JobID)
        /// The job's upload: only when no other job reads it.
        case deleteUpload(UploadID, tenant: TenantID)
        /// The content-index entry of the job's outputs, if it still names this job (a later job may have
        /// replaced it).
        case deleteResultEntry(key: String, tenant: TenantID, job: JobID)
        /// The record, its indexes, explanation, webhook delivery and idempotency key; the store refuses when the
        /// job was retried in the meantime.
        case deleteRecord(JobID)
    }

    /// Whether the store may hand `job` to expiry at `now`.
    public static func isExpired(_ job: Job, now: Date) -> Bool {
        guard job.state.isTerminal, let expiresAt = job.expiresAt else { return false }
        return expiresAt <= now
    }

    /// - Parameter otherReadersOfUpload: jobs besides this one whose input is the same upload.
    public static func actions(for job: Job, now: Date, otherReadersOfUpload: Int) -> [Action] {
        guard isExpired(job, now: now) else { return [] }
        var actions: [Action] = [.deleteOutputs(job.id)]
        if case .upload(let upload) = job.spec.input, otherReadersOfUpload == 0 {
            actions.append(.deleteUpload(upload, tenant: job.spec.tenant))
        }
        if let key = job.resultKey {
            actions.append(.deleteResultEntry(key: key, tenant: job.spec.tenant, job: job.id))
        }
        actions.append(.deleteRecord(job.id))
        return actions
    }
}

/// Deletes the files of expired jobs wherever they live (the data directory or a bucket).
public protocol ExpiredJobFiles: Sendable {
    /// Removes every object of the job's outputs; returns how many.
    func deleteOutputs(of job: JobID) async throws -> Int
    func deleteUpload(_ upload: UploadID, tenant: TenantID) async throws
    /// Removes the content-index entry `key` if it names `job`.
    func deleteResultEntry(_ key: String, tenant: TenantID, ifNaming job: JobID) async throws
}

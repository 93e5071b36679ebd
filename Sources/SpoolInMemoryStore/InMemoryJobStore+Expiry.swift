import Foundation
import SpoolCore

extension InMemoryJobStore {
    public func expiredJobs(now: Date, limit: Int) async throws -> [Job] {
        let expired = finishedJobs.compactMap { jobs[$0]?.job }.filter { job in
            job.expiresAt.map { $0 <= now } ?? false
        }
        return Array(expired.sorted { ($0.expiresAt!, $0.id.rawValue) < ($1.expiresAt!, $1.id.rawValue) }.prefix(limit))
    }

    public func jobsReading(upload: UploadID, other job: JobID) async throws -> Int {
        jobs.values.count { $0.job.id != job && $0.job.spec.input == .upload(upload) }
    }

    public func deleteExpired(_ id: JobID, now: Date) async throws -> Bool {
        guard let job = jobs[id]?.job, job.state.isTerminal, let expiresAt = job.expiresAt, expiresAt <= now else {
            return false
        }
        remove(id)
        return true
    }
}

import Foundation

/// Taking in new jobs (the gateway's role).
public protocol JobSubmissions: Sendable {
    /// Creates a job, or returns the existing one for the same tenant and idempotency key (`created == false`).
    /// With `maxQueued`, a new job is created only while the tenant has fewer than `maxQueued` jobs queued, counted
    /// in the same atomic write as the insert, so concurrent submissions cannot pass the quota together; otherwise it
    /// throws `StoreError.quotaExceeded`. A replay of an existing key is never refused by the quota.
    func submit(_ spec: JobSpec, maxQueued: Int?, now: Date) async throws -> (job: Job, created: Bool)
}

extension JobSubmissions {
    /// A submission with no queued-jobs quota.
    public func submit(_ spec: JobSpec, now: Date) async throws -> (job: Job, created: Bool) {
        try await submit(spec, maxQueued: nil, now: now)
    }
}

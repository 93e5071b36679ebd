import Foundation

/// Moving waiting work between pools takes reading the queue and applying transitions.
extension JobReading where Self: JobTransitions {
    /// Moves every queued job pinned to `pool` to `destination` (nil: any pool that can serve it), taking back
    /// placements not yet claimed. Running jobs stay; a job that changes meanwhile is left for the next call.
    /// Returns the jobs moved.
    @discardableResult
    public func moveQueuedJobs(from pool: String, to destination: String? = nil, now: Date) async throws -> [JobID] {
        try await applyToQueuedJobs(pinnedTo: pool, .move(toPool: destination), now: now)
    }

    /// Fails every queued job pinned to `pool`, which is going away: they asked for it by name, so running them
    /// elsewhere would change what was asked. Returns the jobs failed.
    @discardableResult
    public func failQueuedJobs(of pool: String, now: Date) async throws -> [JobID] {
        let error = JobError(
            code: .unsupported,
            message: "pool \(pool) was destroyed while this job waited for it; submit it again naming another pool, "
                + "or without `pool` to run on any pool that can")
        return try await applyToQueuedJobs(pinnedTo: pool, .abandon(error), now: now)
    }

    /// Applies `event` to each queued job pinned to `pool`, after taking back its placement if it has one; returns
    /// the jobs it applied to (one that changed meanwhile is skipped).
    private func applyToQueuedJobs(pinnedTo pool: String, _ event: JobEvent, now: Date) async throws -> [JobID] {
        var applied: [JobID] = []
        var cursor: String?
        repeat {
            let page = try await list(JobFilter(state: .queued, limit: 200, cursor: cursor))
            for job in page.jobs where job.spec.pool == pool {
                if job.placement != nil, (try? await apply(.unplace, to: job.id, now: now)) == nil { continue }
                if (try? await apply(event, to: job.id, now: now)) != nil { applied.append(job.id) }
            }
            cursor = page.nextCursor
        } while cursor != nil
        return applied
    }
}

import Foundation
import SpoolCore

/// Placement: the scheduler reads waiting jobs with their versions, commits placements only on the versions it
/// read, and each worker claims the jobs placed on it.
extension InMemoryJobStore {
    public func waitingForPlacement(now: Date, limit: Int, pools: Set<String>) async throws -> [QueuedJob] {
        // Ready, not placed yet, and unpinned or pinned to a pool the cycle serves.
        queued { job in
            job.placement == nil && job.notBefore <= now && (job.spec.pool.map { pools.contains($0) } ?? true)
        }
        .sorted(by: StoredJob.claimsBefore)
        .prefix(max(1, limit))
        .map { QueuedJob($0.job, version: $0.version) }
    }

    public func holdingResources() async throws -> [Job] {
        // A placed job holds its reservation from the commit until it ends, claimed or not.
        let placed = queued { $0.placement != nil }
        let running = runningJobs.compactMap { jobs[$0] }
        return (placed + running).sorted { $0.seq < $1.seq }.map(\.job)
    }

    public func commitPlacements(_ commits: [PlacementCommit], now: Date) async throws -> [PlacementCommitOutcome] {
        // One after another, so a job named twice in a batch commits once: the first commit moves its version on.
        commits.map { commit in
            guard let stored = jobs[commit.job], stored.version == commit.version,
                let transition = try? lifecycle.apply(.place(commit.placement), to: stored.job, now: now)
            else { return .stale }
            persist(transition, now: now)
            return .committed
        }
    }

    public func claimPlaced(worker: WorkerID, pool: String, leaseDuration: Duration, now: Date) async throws -> Job? {
        let best = queued { job in job.placement?.worker == worker && job.notBefore <= now }
            .min(by: StoredJob.claimsBefore)
        guard let best else { return nil }
        let event = JobEvent.claim(worker: worker, pool: pool, leaseDuration: leaseDuration)
        let transition = try transition(event, best.job, now)
        persist(transition, now: now)
        return transition.job
    }

    /// Kept for any id, as SQLite keeps it without checking the job exists.
    public func savePlacementExplanation(_ json: String, for job: JobID) async throws {
        placementExplanations[job] = json
    }

    public func placementExplanation(for job: JobID) async throws -> String? {
        placementExplanations[job]
    }
}

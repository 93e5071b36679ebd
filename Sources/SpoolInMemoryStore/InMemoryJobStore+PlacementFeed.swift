import Foundation
import SpoolCore

/// The placement feed: every insert and write of a job that waits for placement before or after it appends one
/// change to a bounded log, in the same actor step as the write, so the feed cannot miss one. A cursor is a position
/// in the log; one the log was trimmed past is a gap.
extension InMemoryJobStore: PlacementFeed {
    public func waitingSnapshot(pools: Set<String>) async throws -> WaitingSnapshot {
        let jobs = queued { job in job.placement == nil && (job.spec.pool.map { pools.contains($0) } ?? true) }
            .map(Self.waitingJob)
        return WaitingSnapshot(jobs: jobs, cursor: placementFeedCursor)
    }

    public func placementChanges(after cursor: PlacementFeedCursor, limit: Int) async throws -> PlacementChanges? {
        let end = placementFeedTrimmed + placementFeedLog.count
        guard cursor.positions.count == 1, let position = Int(cursor.positions[0]),
            position >= placementFeedTrimmed, position <= end
        else { return nil }
        let last = min(end, position + max(1, limit))
        let changes = Array(placementFeedLog[(position - placementFeedTrimmed)..<(last - placementFeedTrimmed)])
        return PlacementChanges(changes: changes, cursor: PlacementFeedCursor(positions: [String(last)]))
    }

    var placementFeedCursor: PlacementFeedCursor {
        PlacementFeedCursor(positions: [String(placementFeedTrimmed + placementFeedLog.count)])
    }

    /// Called by `insert` and `write` with the job as written.
    func recordPlacementChange(of stored: StoredJob, waitedBefore: Bool) {
        if Self.waits(stored.job) {
            placementFeedLog.append(.waiting(Self.waitingJob(stored)))
        } else if waitedBefore {
            placementFeedLog.append(.stopped(stored.job.id, version: stored.version))
        } else {
            return
        }
        // Trimmed in steps, so a full log does not move every entry on every write.
        if placementFeedLog.count > placementFeedCapacity + max(1, placementFeedCapacity / 2) {
            let excess = placementFeedLog.count - placementFeedCapacity
            placementFeedLog.removeFirst(excess)
            placementFeedTrimmed += excess
        }
    }

    /// Queued without a placement: what the scheduler places.
    static func waits(_ job: Job) -> Bool { job.state == .queued && job.placement == nil }

    static func waitingJob(_ stored: StoredJob) -> PlacementFeedJob {
        PlacementFeedJob(
            job: QueuedJob(stored.job, version: stored.version), sequence: Int(stored.seq),
            notBefore: stored.job.notBefore)
    }
}

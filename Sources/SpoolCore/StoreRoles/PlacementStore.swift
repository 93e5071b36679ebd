import Foundation

/// What the scheduler reads and writes: waiting jobs, jobs holding resources, versioned placement commits, and the
/// explanation of each decision.
public protocol PlacementStore: Sendable {
    /// Queued jobs without a placement that are ready to run and unpinned or pinned to one of `pools`: at most
    /// `limit`, highest priority first, then oldest.
    func waitingForPlacement(now: Date, limit: Int, pools: Set<String>) async throws -> [QueuedJob]
    /// Every job that holds resources: running, or queued with a placement.
    func holdingResources() async throws -> [Job]
    /// Records each placement if its job is still at the version the cycle read; otherwise reports it stale. One
    /// call per cycle, so a store can write the batch in few round trips.
    func commitPlacements(_ commits: [PlacementCommit], now: Date) async throws -> [PlacementCommitOutcome]
    /// Keeps the latest placement explanation of a job (JSON), for `GET /v1/jobs/{id}/placement`.
    func savePlacementExplanation(_ json: String, for job: JobID) async throws
    func placementExplanation(for job: JobID) async throws -> String?
}

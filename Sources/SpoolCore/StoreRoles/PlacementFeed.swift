import Foundation

/// The scheduler's change feed of queued jobs, read the way kube-scheduler's informers read pods: one snapshot of
/// every job waiting for placement, then only the changes after it. A store writes each change in the same atomic
/// step as the job, so the feed cannot miss one; a reader the feed no longer covers (it was trimmed past the reader's
/// cursor, or lost in a failover) is told so and reads a snapshot again.
public protocol PlacementFeed: Sendable {
    /// Every queued job without a placement that is unpinned or pinned to one of `pools`, jobs in retry backoff
    /// included, and the cursor to read later changes from. The cursor is taken before the jobs are read, so a
    /// change made during the read is replayed rather than lost; replaying is harmless, since changes carry versions.
    func waitingSnapshot(pools: Set<String>) async throws -> WaitingSnapshot
    /// The changes after `cursor` (about `limit` per part of the feed at most) and the cursor after them; nil when
    /// the feed no longer holds every change after `cursor`, so the reader must take a snapshot instead.
    func placementChanges(after cursor: PlacementFeedCursor, limit: Int) async throws -> PlacementChanges?
}

/// Where a reader stands in a placement feed: one position per part of the feed (the Redis store keeps one stream
/// per shard), each as the store wrote it.
public struct PlacementFeedCursor: Sendable, Hashable {
    public var positions: [String]

    public init(positions: [String]) {
        self.positions = positions
    }
}

/// What a full read of the feed returns: the waiting jobs and the cursor their changes continue from.
public struct WaitingSnapshot: Sendable, Equatable {
    public var jobs: [PlacementFeedJob]
    public var cursor: PlacementFeedCursor

    public init(jobs: [PlacementFeedJob], cursor: PlacementFeedCursor) {
        self.jobs = jobs
        self.cursor = cursor
    }
}

/// What an incremental read of the feed returns: the changes in the order each job saw them, and the cursor after.
public struct PlacementChanges: Sendable, Equatable {
    public var changes: [PlacementChange]
    public var cursor: PlacementFeedCursor

    public init(changes: [PlacementChange], cursor: PlacementFeedCursor) {
        self.changes = changes
        self.cursor = cursor
    }
}

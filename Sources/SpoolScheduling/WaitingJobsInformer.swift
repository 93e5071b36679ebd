import Foundation
import SpoolCore

/// Keeps `WaitingJobsCache` in step with a store's `PlacementFeed`, the way kube-scheduler's informers keep pods: a full
/// snapshot when it starts, when it leads under a new token (another leader placed meanwhile, unseen), when the feed
/// reports a gap, when the fleet serves a pool the snapshot did not read, after a commit that failed midway, and
/// every `resyncInterval` (a safety net, as informers have); otherwise a cycle reads only the changes since its
/// cursor.
///
/// A read is planned (`nextRead`), performed (`perform`, the only I/O, no state) and applied (`apply`), so a caller
/// can read the feed while it plans, as kube-scheduler's informers watch while its cycles run; `refresh` does the
/// three in turn.
public struct WaitingJobsInformer: Sendable {
    public private(set) var waiting = WaitingJobsCache()
    private var cursor: PlacementFeedCursor?
    /// The leadership token the cache was synced under.
    private var token: Int?
    /// The pools the snapshot read the queues of.
    private var pools: Set<String> = []
    private var nextResync = Date.distantPast
    let resyncInterval: Duration
    /// Changes asked for per read of each part of the feed.
    let changesPerRead: Int
    /// How many snapshots it has taken.
    public private(set) var snapshots = 0

    public init(resyncInterval: Duration = .seconds(300), changesPerRead: Int = 10_000) {
        self.resyncInterval = resyncInterval
        self.changesPerRead = max(1, changesPerRead)
    }

    /// A read of the feed, planned from the informer's state.
    public struct Read: Sendable {
        /// Why it is a snapshot (`start`, `leader`, `pools`, `period`); nil for a read of the changes.
        public var snapshotReason: String?
        var token: Int
        var pools: Set<String>
        var cursor: PlacementFeedCursor?
        var limit: Int
    }

    /// What a read found.
    public struct ReadResult: Sendable {
        var read: Read
        var snapshot: WaitingSnapshot?
        /// The changes after the read's cursor (after the snapshot's, for a snapshot); nil for a gap.
        var changes: PlacementChanges?
    }

    /// The read that brings the cache up to date for a cycle led under `token` on a fleet serving `pools`.
    public func nextRead(token: Int, pools: Set<String>, now: Date) -> Read {
        Read(
            snapshotReason: snapshotReason(token: token, pools: pools, now: now), token: token, pools: pools,
            cursor: cursor, limit: changesPerRead)
    }

    func snapshotReason(token: Int, pools: Set<String>, now: Date) -> String? {
        if cursor == nil { return "start" }
        if token != self.token { return "leader" }
        if !pools.isSubset(of: self.pools) { return "pools" }
        if now >= nextResync { return "period" }
        return nil
    }

    /// Performs a read. A snapshot also reads the changes made while it was taken, so the cache starts no older
    /// than the store.
    public static func perform(_ read: Read, on feed: any PlacementFeed) async throws -> ReadResult {
        if read.snapshotReason == nil, let cursor = read.cursor {
            return ReadResult(
                read: read, snapshot: nil, changes: try await feed.placementChanges(after: cursor, limit: read.limit))
        }
        let snapshot = try await feed.waitingSnapshot(pools: read.pools)
        let changes = try await feed.placementChanges(after: snapshot.cursor, limit: read.limit)
        return ReadResult(read: read, snapshot: snapshot, changes: changes)
    }

    /// Applies what a read found. Returns why the cache was rebuilt (the snapshot's reason), or `gap` when the feed
    /// no longer covered the cursor (the next read is a snapshot), or nil when it took only changes. A result for a
    /// cursor the informer has left (it was invalidated meanwhile) is dropped.
    @discardableResult
    public mutating func apply(_ result: ReadResult, now: Date) -> String? {
        if let snapshot = result.snapshot {
            waiting.replace(with: snapshot.jobs)
            cursor = snapshot.cursor
            token = result.read.token
            pools = result.read.pools
            nextResync = now.addingTimeInterval(resyncInterval.seconds)
            snapshots += 1
        } else if result.read.cursor != cursor {
            return nil
        }
        guard let changes = result.changes else {
            cursor = nil
            return "gap"
        }
        waiting.apply(changes.changes)
        cursor = changes.cursor
        return result.read.snapshotReason
    }

    /// Whether the last read filled a whole page, so more changes wait in the feed.
    public func readFullPage(_ result: ReadResult) -> Bool {
        (result.changes?.changes.count ?? 0) >= changesPerRead
    }

    /// Brings the cache up to date for a cycle led under `token` on a fleet serving `pools`. Returns why it took a
    /// snapshot (`start`, `leader`, `pools`, `period`, `gap`), or nil when it read only the changes.
    @discardableResult
    public mutating func refresh(from feed: any PlacementFeed, token: Int, pools: Set<String>, now: Date) async throws
        -> String?
    {
        var reason: String?
        // Several reads when the feed holds more than a page, so a burst of submissions is taken in one cycle; a gap
        // is followed by its snapshot at once.
        for _ in 0..<8 {
            let result = try await Self.perform(nextRead(token: token, pools: pools, now: now), on: feed)
            // A gap is reported as the reason for the snapshot that follows it.
            if let applied = apply(result, now: now), reason == nil { reason = applied }
            if cursor != nil && !readFullPage(result) { break }
        }
        return reason
    }

    /// Takes out the jobs a cycle decided to place, before their commit answers (see `WaitingJobsCache.assume`).
    public mutating func assume(_ commits: [PlacementCommit]) {
        for commit in commits { waiting.assume(commit.job, version: commit.version) }
    }

    /// The next read takes a snapshot: a commit failed without saying which placements it wrote.
    public mutating func invalidate() {
        cursor = nil
    }

    public mutating func best(limit: Int, pools: Set<String>, now: Date) -> [QueuedJob] {
        waiting.best(limit: limit, pools: pools, now: now)
    }
}

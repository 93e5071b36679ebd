import Foundation
import SpoolCore
import Testing

/// Behaviour every `PlacementFeed` must show: a snapshot lists the waiting jobs at the versions a placement commits
/// on, every change after its cursor is in the feed, and a reader that folds a snapshot and the changes after any
/// earlier cursor (a replay) ends where a fresh snapshot is. A store under test must be fresh and built with
/// `JobStoreConformance.lifecycle`. Gaps are store-specific (how a feed is trimmed), so each store tests its own.
public enum PlacementFeedConformance {
    public enum Check: String, CaseIterable, Sendable {
        case snapshotListsWaitingJobs
        case changesFollowEveryTransition
        case replayOverASnapshotConverges
    }

    public typealias Store = JobStore & PlacementFeed

    public static func run(_ check: Check, on store: any Store) async throws {
        switch check {
        case .snapshotListsWaitingJobs: try await snapshotListsWaitingJobs(store)
        case .changesFollowEveryTransition: try await changesFollowEveryTransition(store)
        case .replayOverASnapshotConverges: try await replayOverASnapshotConverges(store)
        }
    }

    static let conformance = JobStoreConformance.self

    static func snapshotListsWaitingJobs(_ store: any Store) async throws {
        let empty = try await store.waitingSnapshot(pools: ["cpu"])
        #expect(empty.jobs.isEmpty)
        let low = try await store.submit(conformance.spec(priority: 10), now: conformance.at(0)).job
        let high = try await store.submit(conformance.spec(priority: 90), now: conformance.at(1)).job
        let pinned = try await store.submit(conformance.spec(pool: "gpu-eu"), now: conformance.at(2)).job
        let snapshot = try await store.waitingSnapshot(pools: ["cpu"])
        #expect(Set(snapshot.jobs.map(\.job.id)) == [low.id, high.id])
        #expect(
            Set(try await store.waitingSnapshot(pools: ["gpu-eu"]).jobs.map(\.job.id)) == [low.id, high.id, pinned.id])
        // Submission order is kept: among one priority the older goes first.
        let sequences = Dictionary(uniqueKeysWithValues: snapshot.jobs.map { ($0.job.id, $0.sequence) })
        #expect(try #require(sequences[low.id]) < #require(sequences[high.id]))
        // The versions are those a placement commits on.
        let highRead = try #require(snapshot.jobs.first { $0.job.id == high.id })
        #expect(highRead.job.priority == 90)
        #expect(
            try await store.commitPlacements(
                [PlacementCommit(highRead.job, placement: conformance.placement(on: "a"))], now: conformance.at(3))
                == [.committed])
        #expect(try await store.waitingSnapshot(pools: ["cpu"]).jobs.map(\.job.id) == [low.id])
        // Nothing changed after the last snapshot's cursor.
        let last = try await store.waitingSnapshot(pools: ["cpu"])
        #expect(try await store.placementChanges(after: last.cursor, limit: 100)?.changes == [])
    }

    static func changesFollowEveryTransition(_ store: any Store) async throws {
        let start = try await store.waitingSnapshot(pools: ["cpu", "gpu-eu"])
        var fold = Fold(start.jobs)
        let placed = try await store.submit(conformance.spec(priority: 10), now: conformance.at(0)).job
        let failing = try await store.submit(conformance.spec(priority: 90), now: conformance.at(1)).job
        let cancelled = try await store.submit(conformance.spec(pool: "gpu-eu"), now: conformance.at(2)).job
        var read = try #require(try await store.placementChanges(after: start.cursor, limit: 100))
        fold.apply(read.changes)
        #expect(Set(fold.waiting.keys) == [placed.id, failing.id, cancelled.id])

        // Claimed (stops waiting), failed (waits again, in backoff).
        let claimed = try #require(try await conformance.claim(store, at: 3))
        #expect(claimed.id == failing.id)
        try await store.apply(
            .fail(try #require(claimed.currentLease), JobError(code: .transcodeFailed, message: "exit 1")),
            to: failing.id, now: conformance.at(4))
        // Placed from what the feed said (stops waiting), withdrawn (waits again), cancelled (stops).
        let placedRead = try #require(fold.waiting[placed.id])
        #expect(
            try await store.commitPlacements(
                [PlacementCommit(placedRead.job, placement: conformance.placement(on: "a"))], now: conformance.at(5))
                == [.committed])
        try await store.apply(.unplace, to: placed.id, now: conformance.at(6))
        try await store.apply(.cancel, to: cancelled.id, now: conformance.at(7))
        read = try #require(try await store.placementChanges(after: read.cursor, limit: 100))
        fold.apply(read.changes)

        let fresh = try await store.waitingSnapshot(pools: ["cpu", "gpu-eu"])
        #expect(fold.versions == Fold(fresh.jobs).versions)
        #expect(Set(fold.waiting.keys) == [placed.id, failing.id])
        let retrying = try #require(fold.waiting[failing.id])
        #expect(try #require(retrying.notBefore) > conformance.at(4))
        // What the feed carries commits: the withdrawn job is placed again on the version it gave.
        #expect(
            try await store.commitPlacements(
                [PlacementCommit(try #require(fold.waiting[placed.id]).job, placement: conformance.placement(on: "b"))],
                now: conformance.at(8)) == [.committed])
    }

    static func replayOverASnapshotConverges(_ store: any Store) async throws {
        let early = try await store.waitingSnapshot(pools: ["cpu"])
        var jobs: [Job] = []
        for n in 0..<6 {
            jobs.append(try await store.submit(conformance.spec(priority: 10 * n), now: conformance.at(Double(n))).job)
        }
        try await store.apply(.cancel, to: jobs[0].id, now: conformance.at(10))
        let view = try await store.schedulingView(now: conformance.at(10), waitingLimit: 2, pools: ["cpu"])
        _ = try await store.commitPlacements(
            view.waiting.map { PlacementCommit($0, placement: conformance.placement(on: "a")) }, now: conformance.at(11)
        )
        try await store.apply(.unplace, to: try #require(view.waiting.first).id, now: conformance.at(12))
        let snapshot = try await store.waitingSnapshot(pools: ["cpu"])

        // The snapshot, then every change since a cursor older than it: the older changes are ignored.
        var fold = Fold(snapshot.jobs)
        var cursor = early.cursor
        while let read = try await store.placementChanges(after: cursor, limit: 3), !read.changes.isEmpty {
            fold.apply(read.changes)
            cursor = read.cursor
        }
        #expect(fold.versions == Fold(snapshot.jobs).versions)
        #expect(fold.versions.count == 4)
    }

    /// What a reader of the feed keeps, by the rule every reader follows: the newest version of each job wins.
    struct Fold {
        var waiting: [JobID: PlacementFeedJob] = [:]
        var stopped: [JobID: Int] = [:]

        init(_ snapshot: [PlacementFeedJob]) {
            for job in snapshot { waiting[job.job.id] = job }
        }

        var versions: [JobID: Int] { waiting.mapValues(\.job.version) }

        mutating func apply(_ changes: [PlacementChange]) {
            for change in changes {
                let id = change.job
                if let kept = waiting[id], kept.job.version > change.version { continue }
                if let gone = stopped[id], gone >= change.version { continue }
                switch change {
                case .waiting(let job):
                    waiting[id] = job
                    stopped[id] = nil
                case .stopped(_, let version):
                    waiting[id] = nil
                    stopped[id] = version
                }
            }
        }
    }
}

import Foundation
import SpoolCore

/// The informer's state: every job waiting for placement, kept from a placement feed's snapshot and changes, with
/// no I/O. Versions order what it is told: a change older than the job it keeps is ignored, so a snapshot and the
/// replay of changes made while it was read agree, whatever order the two overlap in.
public struct WaitingJobsCache: Sendable {
    private var jobs: [JobID: PlacementFeedJob] = [:]
    /// The versions jobs stopped waiting at, so that a replayed older `waiting` does not bring one back. Dropped
    /// with the next snapshot (the only time older changes are replayed).
    private var stoppedAt: [JobID: Int] = [:]
    /// Placement order over the kept jobs. It may also hold entries of jobs gone or re-ranked since (cheaper than
    /// finding them): those are skipped when read and dropped when they lead the list or outnumber the live ones.
    private var ordered: [Rank] = []
    /// Entries not yet merged into `ordered` (new jobs arrive many to a cycle; one sort and merge takes them all).
    private var arrivals: [Rank] = []

    /// Where a job stands in placement order: highest priority first, then the store's submission order.
    struct Rank: Comparable, Sendable {
        var priority: Int
        var sequence: Int
        var id: JobID

        init(_ waiting: PlacementFeedJob) {
            priority = waiting.job.priority
            sequence = waiting.sequence
            id = waiting.job.id
        }

        static func < (lhs: Rank, rhs: Rank) -> Bool {
            if lhs.priority != rhs.priority { return lhs.priority > rhs.priority }
            if lhs.sequence != rhs.sequence { return lhs.sequence < rhs.sequence }
            return lhs.id < rhs.id
        }
    }

    public init(_ jobs: [PlacementFeedJob] = []) {
        replace(with: jobs)
    }

    /// How many jobs wait, whether or not they can be placed yet.
    public var count: Int { jobs.count }

    public func job(_ id: JobID) -> PlacementFeedJob? { jobs[id] }

    /// Starts over from a snapshot.
    public mutating func replace(with snapshot: [PlacementFeedJob]) {
        jobs = Dictionary(
            snapshot.map { ($0.job.id, $0) }, uniquingKeysWith: { $0.job.version >= $1.job.version ? $0 : $1 })
        stoppedAt = [:]
        ordered = jobs.values.map(Rank.init).sorted()
        arrivals = []
    }

    public mutating func apply(_ changes: [PlacementChange]) {
        for change in changes { apply(change) }
    }

    public mutating func apply(_ change: PlacementChange) {
        let id = change.job
        if let kept = jobs[id], kept.job.version > change.version { return }
        if let stopped = stoppedAt[id], stopped >= change.version { return }
        switch change {
        case .waiting(let waiting):
            let previous = jobs.updateValue(waiting, forKey: id)
            stoppedAt[id] = nil
            // Same rank: its entry stands (a re-ranked or returning job gets a new one; the old is skipped).
            if previous.map(Rank.init) != Rank(waiting) { arrivals.append(Rank(waiting)) }
        case .stopped(_, let version):
            jobs[id] = nil
            remember(id, stoppedAt: version)
        }
    }

    /// Bounded: forgetting only lets a replayed older change bring a job back for a while, until the replay reaches
    /// the change that stopped it (a store's feed holds each job's changes in order); a cycle that places it
    /// meanwhile is refused as stale by the store's compare-and-set.
    private mutating func remember(_ id: JobID, stoppedAt version: Int) {
        if stoppedAt.count >= 100_000 { stoppedAt.removeAll(keepingCapacity: true) }
        stoppedAt[id] = version
    }

    /// Takes out a job the leader decided to place at `version` (kube-scheduler's assumption): a later cycle must
    /// not place it again while the commit is in flight. If the commit turns out stale, the job changed, and the
    /// feed brings its newer version if it still waits.
    public mutating func assume(_ id: JobID, version: Int) {
        guard let kept = jobs[id], kept.job.version <= version else { return }
        jobs[id] = nil
        remember(id, stoppedAt: version)
    }

    /// The best `limit` jobs that can be placed at `now` on a fleet serving `pools`: unpinned or pinned to one of
    /// them, and out of any retry backoff. Mutating only to tidy the order it reads.
    public mutating func best(limit: Int, pools: Set<String>, now: Date) -> [QueuedJob] {
        if !arrivals.isEmpty {
            ordered = Self.merge(ordered, arrivals.sorted())
            arrivals = []
        }
        if ordered.count > 2 * jobs.count + 1024 {
            ordered = Self.unique(ordered.filter(isCurrent))
        }
        var picked: [QueuedJob] = []
        picked.reserveCapacity(min(limit, jobs.count))
        var seen: Set<JobID> = []
        var leadingStale = 0
        var onlyStaleSoFar = true
        for rank in ordered {
            guard picked.count < limit else { break }
            guard isCurrent(rank), let waiting = jobs[rank.id], seen.insert(rank.id).inserted else {
                if onlyStaleSoFar { leadingStale += 1 }
                continue
            }
            onlyStaleSoFar = false
            if let notBefore = waiting.notBefore, notBefore > now { continue }
            if let pool = waiting.job.pool, !pools.contains(pool) { continue }
            picked.append(waiting.job)
        }
        // Placed jobs leave from the front; without this every cycle would walk past all of them again.
        if leadingStale > 0 { ordered.removeFirst(leadingStale) }
        return picked
    }

    private func isCurrent(_ rank: Rank) -> Bool {
        jobs[rank.id].map { Rank($0) == rank } ?? false
    }

    static func merge(_ first: [Rank], _ second: [Rank]) -> [Rank] {
        var merged: [Rank] = []
        merged.reserveCapacity(first.count + second.count)
        var (i, j) = (0, 0)
        while i < first.count && j < second.count {
            if second[j] < first[i] {
                merged.append(second[j])
                j += 1
            } else {
                merged.append(first[i])
                i += 1
            }
        }
        merged += first[i...]
        merged += second[j...]
        return merged
    }

    static func unique(_ sorted: [Rank]) -> [Rank] {
        var result: [Rank] = []
        result.reserveCapacity(sorted.count)
        for rank in sorted where result.last != rank { result.append(rank) }
        return result
    }
}

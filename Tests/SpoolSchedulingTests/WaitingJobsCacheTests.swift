import Foundation
import SpoolCore
import SpoolDispatch
import SpoolScheduling
import TestThreads
import Testing

/// The informer's cache on its own: what it keeps from changes, in what order it offers jobs, and that it agrees
/// with a plain model of the same changes however they interleave.
@Suite(.cpuBound) struct WaitingJobsCacheTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func waiting(
        _ name: String, version: Int = 1, priority: Int = 50, sequence: Int, pool: String? = nil,
        notBefore: Date? = nil
    ) -> PlacementFeedJob {
        PlacementFeedJob(
            job: QueuedJob(
                id: JobID(rawValue: name), version: version, tenant: .default, serviceClass: .standard,
                priority: priority, pool: pool, acceleration: .auto, preset: nil,
                shape: WorkloadShape(
                    videoEncodes: 1, outputPixels: 921_600, inputPixels: 921_600, hasThumbnails: false),
                input: "/in.mp4", createdAt: now),
            sequence: sequence, notBefore: notBefore)
    }

    static func names(_ jobs: [QueuedJob]) -> [String] { jobs.map(\.id.rawValue) }

    @Test func offersTheHighestPriorityThenTheOldest() {
        var cache = WaitingJobsCache([
            Self.waiting("a", priority: 10, sequence: 1), Self.waiting("b", priority: 90, sequence: 3),
            Self.waiting("c", priority: 90, sequence: 2),
        ])
        cache.apply(.waiting(Self.waiting("d", priority: 50, sequence: 4)))
        #expect(Self.names(cache.best(limit: 10, pools: [], now: Self.now)) == ["c", "b", "d", "a"])
        #expect(Self.names(cache.best(limit: 2, pools: [], now: Self.now)) == ["c", "b"])
    }

    @Test func leavesOutJobsInBackoffAndPoolsNoWorkerServes() {
        var cache = WaitingJobsCache([
            Self.waiting("backoff", sequence: 1, notBefore: Self.now.addingTimeInterval(5)),
            Self.waiting("pinned", sequence: 2, pool: "gpu-eu"), Self.waiting("free", sequence: 3),
        ])
        #expect(Self.names(cache.best(limit: 10, pools: ["cpu"], now: Self.now)) == ["free"])
        #expect(
            Self.names(cache.best(limit: 10, pools: ["gpu-eu"], now: Self.now.addingTimeInterval(5)))
                == ["backoff", "pinned", "free"])
        #expect(cache.count == 3)
    }

    @Test func keepsTheNewestVersionOfEachJob() {
        var cache = WaitingJobsCache([Self.waiting("a", version: 3, sequence: 1)])
        // An older change (a replay) is ignored, a newer one kept.
        cache.apply(.stopped(JobID(rawValue: "a"), version: 2))
        #expect(cache.job(JobID(rawValue: "a"))?.job.version == 3)
        cache.apply(.stopped(JobID(rawValue: "a"), version: 4))
        #expect(cache.count == 0)
        // Stopped at 4: a replayed waiting at 3 does not bring it back; a requeue at 5 does.
        cache.apply(.waiting(Self.waiting("a", version: 3, sequence: 1)))
        #expect(cache.count == 0)
        cache.apply(.waiting(Self.waiting("a", version: 5, sequence: 1)))
        #expect(Self.names(cache.best(limit: 10, pools: [], now: Self.now)) == ["a"])
    }

    @Test func anAssumedJobIsOfferedAgainOnlyAtANewerVersion() {
        var cache = WaitingJobsCache([
            Self.waiting("a", version: 1, sequence: 1), Self.waiting("b", version: 1, sequence: 2),
        ])
        cache.assume(JobID(rawValue: "a"), version: 1)
        #expect(Self.names(cache.best(limit: 10, pools: [], now: Self.now)) == ["b"])
        // The feed's own entry for the placement (version 2) changes nothing; a withdrawal (version 3) requeues it.
        cache.apply(.stopped(JobID(rawValue: "a"), version: 2))
        cache.apply(.waiting(Self.waiting("a", version: 3, sequence: 1)))
        #expect(Self.names(cache.best(limit: 10, pools: [], now: Self.now)) == ["a", "b"])
        // Assuming an older version than the one kept does nothing: the commit will be stale.
        cache.assume(JobID(rawValue: "a"), version: 2)
        #expect(cache.count == 2)
    }

    @Test func aReRankedJobIsOfferedOnceAtItsNewRank() {
        var cache = WaitingJobsCache([Self.waiting("a", priority: 10, sequence: 1), Self.waiting("b", sequence: 2)])
        _ = cache.best(limit: 10, pools: [], now: Self.now)
        cache.apply(.waiting(Self.waiting("a", version: 2, priority: 90, sequence: 1)))
        cache.apply(.waiting(Self.waiting("a", version: 3, priority: 10, sequence: 1)))
        cache.apply(.waiting(Self.waiting("a", version: 4, priority: 90, sequence: 1)))
        #expect(Self.names(cache.best(limit: 10, pools: [], now: Self.now)) == ["a", "b"])
    }

    /// Random submissions, placements, requeues, withdrawals and replays of old changes, against a plain model: a
    /// dictionary of the newest version of each job, sorted on every read.
    @Test(arguments: [1, 2, 3])
    func agreesWithAPlainModel(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var cache = WaitingJobsCache()
        var model: [JobID: PlacementFeedJob] = [:]
        var newestVersion: [JobID: Int] = [:]
        var history: [PlacementChange] = []
        var sequence = 0
        for _ in 0..<2_000 {
            let roll = Int.random(in: 0..<100, using: &random)
            let change: PlacementChange
            if roll < 35 || newestVersion.isEmpty {
                sequence += 1
                let job = Self.waiting(
                    "j\(sequence)", priority: [10, 50, 90].randomElement(using: &random)!, sequence: sequence,
                    pool: roll % 7 == 0 ? "gpu-eu" : nil)
                change = .waiting(job)
            } else if roll < 90 {
                let id = newestVersion.keys.sorted().randomElement(using: &random)!
                let version = newestVersion[id]! + 1
                if roll < 70 {
                    change = .stopped(id, version: version)
                } else {
                    let priority = [10, 50, 90].randomElement(using: &random)!
                    change = .waiting(
                        Self.waiting(
                            id.rawValue, version: version, priority: priority, sequence: Int(id.rawValue.dropFirst())!))
                }
            } else {
                // A replay of an old change: both must ignore it.
                change = history.randomElement(using: &random)!
            }
            if newestVersion[change.job].map({ $0 < change.version }) ?? true {
                newestVersion[change.job] = change.version
                switch change {
                case .waiting(let job): model[job.job.id] = job
                case .stopped(let id, _): model[id] = nil
                }
            }
            history.append(change)
            cache.apply(change)
            if roll % 10 == 0 {
                let limit = Int.random(in: 1..<50, using: &random)
                let expected = model.values.filter { $0.job.pool == nil }
                    .sorted { ($0.job.priority, -$0.sequence) > ($1.job.priority, -$1.sequence) }.prefix(limit)
                #expect(cache.best(limit: limit, pools: ["cpu"], now: Self.now).map(\.id) == expected.map(\.job.id))
            }
        }
        #expect(cache.count == model.count)
    }
}

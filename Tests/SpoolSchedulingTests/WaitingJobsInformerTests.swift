import Foundation
import SpoolCore
import SpoolInMemoryStore
import SpoolScheduling
import Testing

/// When the informer reads the whole queue and when only what changed, against the in-memory store's feed.
@Suite struct WaitingJobsInformerTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func spec(pool: String? = nil) -> JobSpec {
        JobSpec(
            input: .file(path: "/media/in.mp4"),
            outputs: [
                OutputSpec(
                    name: "720p", format: .mp4(video: VideoSettings(height: 720, crf: 23), audio: AudioSettings()))
            ],
            pool: pool)
    }

    @Test func startsWithASnapshotThenReadsOnlyTheChanges() async throws {
        let store = InMemoryJobStore()
        _ = try await store.submit(Self.spec(), now: Self.now)
        var informer = WaitingJobsInformer()
        #expect(try await informer.refresh(from: store, token: 1, pools: ["cpu"], now: Self.now) == "start")
        #expect(informer.waiting.count == 1)
        let second = try await store.submit(Self.spec(), now: Self.now).job
        #expect(try await informer.refresh(from: store, token: 1, pools: ["cpu"], now: Self.now) == nil)
        #expect(informer.waiting.count == 2)
        try await store.apply(.cancel, to: second.id, now: Self.now)
        #expect(try await informer.refresh(from: store, token: 1, pools: ["cpu"], now: Self.now) == nil)
        #expect(informer.waiting.count == 1)
        #expect(informer.snapshots == 1)
    }

    @Test func readsAgainInFullUnderANewLeaderToken() async throws {
        let store = InMemoryJobStore()
        var informer = WaitingJobsInformer()
        try await informer.refresh(from: store, token: 1, pools: ["cpu"], now: Self.now)
        #expect(try await informer.refresh(from: store, token: 2, pools: ["cpu"], now: Self.now) == "leader")
        #expect(try await informer.refresh(from: store, token: 2, pools: ["cpu"], now: Self.now) == nil)
    }

    @Test func readsAgainInFullWhenTheFeedWasTrimmedPastIt() async throws {
        let store = InMemoryJobStore(placementFeedCapacity: 2)
        var informer = WaitingJobsInformer()
        try await informer.refresh(from: store, token: 1, pools: ["cpu"], now: Self.now)
        for _ in 0..<6 { _ = try await store.submit(Self.spec(), now: Self.now) }
        #expect(try await informer.refresh(from: store, token: 1, pools: ["cpu"], now: Self.now) == "gap")
        #expect(informer.waiting.count == 6)
        #expect(informer.snapshots == 2)
    }

    @Test func readsAgainInFullWhenTheFleetServesANewPool() async throws {
        let store = InMemoryJobStore()
        let pinned = try await store.submit(Self.spec(pool: "gpu"), now: Self.now).job
        var informer = WaitingJobsInformer()
        try await informer.refresh(from: store, token: 1, pools: ["cpu"], now: Self.now)
        #expect(informer.best(limit: 10, pools: ["cpu"], now: Self.now).isEmpty)
        // The snapshot did not read the gpu pool's queue: its jobs come with a new one.
        #expect(try await informer.refresh(from: store, token: 1, pools: ["cpu", "gpu"], now: Self.now) == "pools")
        #expect(informer.best(limit: 10, pools: ["cpu", "gpu"], now: Self.now).map(\.id) == [pinned.id])
    }

    @Test func readsAgainInFullEveryResyncInterval() async throws {
        let store = InMemoryJobStore()
        var informer = WaitingJobsInformer(resyncInterval: .seconds(60))
        try await informer.refresh(from: store, token: 1, pools: ["cpu"], now: Self.now)
        #expect(try await informer.refresh(from: store, token: 1, pools: ["cpu"], now: Self.now + 59) == nil)
        #expect(try await informer.refresh(from: store, token: 1, pools: ["cpu"], now: Self.now + 60) == "period")
    }

    @Test func aFailedCommitMakesTheNextReadASnapshot() async throws {
        let store = InMemoryJobStore()
        _ = try await store.submit(Self.spec(), now: Self.now)
        var informer = WaitingJobsInformer()
        try await informer.refresh(from: store, token: 1, pools: ["cpu"], now: Self.now)
        let job = try #require(informer.best(limit: 1, pools: ["cpu"], now: Self.now).first)
        // The commit failed: the job was assumed, and whether it was placed is unknown.
        informer.assume([PlacementCommit(job, placement: Self.placement)])
        #expect(informer.waiting.count == 0)
        informer.invalidate()
        #expect(try await informer.refresh(from: store, token: 1, pools: ["cpu"], now: Self.now) == "start")
        #expect(informer.waiting.count == 1)
    }

    @Test func aReadForACursorItHasLeftIsDropped() async throws {
        let store = InMemoryJobStore()
        var informer = WaitingJobsInformer()
        try await informer.refresh(from: store, token: 1, pools: ["cpu"], now: Self.now)
        _ = try await store.submit(Self.spec(), now: Self.now)
        // A read started while a cycle planned, and the cycle's commit failed meanwhile.
        let read = try await WaitingJobsInformer.perform(
            informer.nextRead(token: 1, pools: ["cpu"], now: Self.now), on: store)
        informer.invalidate()
        #expect(informer.apply(read, now: Self.now) == nil)
        #expect(informer.waiting.count == 0)
        #expect(try await informer.refresh(from: store, token: 1, pools: ["cpu"], now: Self.now) == "start")
        #expect(informer.waiting.count == 1)
    }

    static let placement = JobPlacement(
        worker: WorkerID(rawValue: "wrk_cpu_a"), pool: "cpu", gpu: nil, deviceModel: nil,
        demand: ResourceDemand(gpuMemoryMiB: 0, encoderSessions: 0, decoderSessions: 0), score: 1,
        placedAt: now, schedulerToken: 1)
}

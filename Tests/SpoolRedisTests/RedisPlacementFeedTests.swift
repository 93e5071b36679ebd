import Foundation
import JobStoreConformance
import RESPClient
import SpoolCore
import SpoolRedis
import TestSupport
import Testing

/// The placement feed's conformance against a real redis-server, and its gaps: a stream trimmed past a reader's
/// cursor, or lost (a failover to a replica that never had it).
@Suite(.serialized) struct RedisPlacementFeedTests {
    @Test func conformance() async throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        try await server.waitUntilReady()
        let client = server.client()
        for check in PlacementFeedConformance.Check.allCases {
            let store = RedisJobStore(
                client: client, namespace: "f-\(check.rawValue)", shards: 3, lifecycle: JobStoreConformance.lifecycle)
            try await PlacementFeedConformance.run(check, on: store)
        }
        await client.close()
    }

    @Test func onACluster() async throws {
        let cluster = try await RedisClusterProcesses()
        defer { cluster.stop() }
        let client = cluster.client()
        for check in PlacementFeedConformance.Check.allCases {
            let store = RedisJobStore(
                client: client, namespace: "cf-\(check.rawValue)", shards: 4, lifecycle: JobStoreConformance.lifecycle)
            try await PlacementFeedConformance.run(check, on: store)
        }
        await client.close()
    }

    /// A store with `count` jobs submitted, and those jobs as the scheduler reads them.
    func queued(_ count: Int, namespace: String, shards: Int, client: RedisClient) async throws
        -> (RedisJobStore, [QueuedJob])
    {
        let store = RedisJobStore(
            client: client, namespace: namespace, shards: shards, lifecycle: JobStoreConformance.lifecycle)
        for n in 0..<count {
            _ = try await store.submit(JobStoreConformance.spec(priority: n), now: JobStoreConformance.at(0))
        }
        let reads = try await store.schedulingView(
            now: JobStoreConformance.at(1), waitingLimit: count + 5, pools: ["cpu"]
        ).waiting
        #expect(reads.count == count)
        return (store, reads)
    }

    /// A committed placement leaves its worker one token, for a second, in its wake list; the worker's wait returns at
    /// once. Two placements on one worker still leave one token.
    @Test func aCommittedPlacementWakesItsWorker() async throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        try await server.waitUntilReady()
        let client = server.client()
        let (store, reads) = try await queued(2, namespace: "wake", shards: 2, client: client)
        let placement = JobPlacement(
            worker: JobStoreConformance.worker("a"), pool: "cpu", gpu: 0, deviceModel: "NVIDIA L4",
            demand: ResourceDemand(gpuMemoryMiB: 512, encoderSessions: 1, decoderSessions: 1), score: 42.5,
            placedAt: JobStoreConformance.at(1), schedulerToken: 1)
        let outcomes = try await store.commitPlacements(
            reads.map { PlacementCommit($0, placement: placement) }, now: JobStoreConformance.at(1))
        #expect(outcomes == [PlacementCommitOutcome.committed, .committed])
        // The worker's list lives in one shard (its own, by its ID): exactly one of the two holds it.
        let lists = (0..<2).map { RESPArgument("wake:{s\($0)}:wake:" + placement.worker.rawValue) }
        var found: [RESPArgument] = []
        for candidate in lists where try await client.send(["EXISTS", candidate]).int == 1 { found.append(candidate) }
        #expect(found.count == 1)
        let list = try #require(found.first)
        #expect(try await client.send(["LLEN", list]).int == 1)
        let ttl = try await client.send(["PTTL", list]).int ?? -1
        #expect(ttl > 0 && ttl <= 1000, "PTTL \(ttl)")
        #expect(try await store.waitForPlacement(on: placement.worker, seconds: 5))
        await client.close()
    }

    /// A cycle places on many workers, whose wake lists lie in different shards: each placed worker gets its token
    /// (the wakes go as one script per shard), and a worker nothing was placed on gets none.
    @Test func everyWorkerACyclePlacedOnIsWoken() async throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        try await server.waitUntilReady()
        let client = server.client()
        let (store, reads) = try await queued(12, namespace: "wakes", shards: 4, client: client)
        let commits = reads.enumerated().map { index, job in
            PlacementCommit(
                job,
                placement: JobPlacement(
                    worker: JobStoreConformance.worker("w\(index)"), pool: "cpu", gpu: 0, deviceModel: "NVIDIA L4",
                    demand: ResourceDemand(gpuMemoryMiB: 512, encoderSessions: 1, decoderSessions: 1), score: 1,
                    placedAt: JobStoreConformance.at(1), schedulerToken: 1))
        }
        #expect(Set(try await store.commitPlacements(commits, now: JobStoreConformance.at(1))) == [.committed])
        // Read at once, in one pipeline: a token lasts a second.
        let workers = (0..<12).map { JobStoreConformance.worker("w\($0)") }
        let lengths = try await client.pipeline(
            workers.flatMap { worker in
                (0..<4).map { shard -> [RESPArgument] in ["LLEN", .init("wakes:{s\(shard)}:wake:" + worker.rawValue)] }
            }
        ).map { try $0.get().int ?? 0 }
        var shards: Set<Int> = []
        for (index, worker) in workers.enumerated() {
            let holding = (0..<4).filter { lengths[index * 4 + $0] == 1 }
            #expect(holding.count == 1, "worker \(worker.rawValue)'s token in shards \(holding)")
            shards.formUnion(holding)
        }
        #expect(try await store.waitForPlacement(on: workers[11], seconds: 1))
        #expect(shards.count > 1, "twelve workers' lists all in one shard: \(shards)")
        #expect(!(try await store.waitForPlacement(on: JobStoreConformance.worker("idle"), seconds: 1)))
        await client.close()
    }

    @Test func aTrimmedOrLostStreamIsAGap() async throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        try await server.waitUntilReady()
        let client = server.client()
        let store = RedisJobStore(client: client, namespace: "g", shards: 1, lifecycle: JobStoreConformance.lifecycle)
        let start = try await store.waitingSnapshot(pools: ["cpu"])
        #expect(start.cursor.positions == ["0-0"])
        _ = try await store.submit(JobStoreConformance.spec(), now: JobStoreConformance.at(0))
        let read = try #require(try await store.placementChanges(after: start.cursor, limit: 10))
        #expect(read.changes.count == 1)
        _ = try await store.submit(JobStoreConformance.spec(), now: JobStoreConformance.at(1))
        #expect(try await store.placementChanges(after: read.cursor, limit: 10)?.changes.count == 1)

        // Trimmed past the reader: both its cursors are gaps, the start of the stream too; a snapshot's cursor
        // (the end of the now empty stream) reads on.
        _ = try await client.send(["XTRIM", "g:{s0}:feed", "MAXLEN", "0"])
        #expect(try await store.placementChanges(after: read.cursor, limit: 10) == nil)
        #expect(try await store.placementChanges(after: start.cursor, limit: 10) == nil)
        let snapshot = try await store.waitingSnapshot(pools: ["cpu"])
        #expect(snapshot.jobs.count == 2)
        #expect(try await store.placementChanges(after: snapshot.cursor, limit: 10)?.changes == [])

        // Lost: a cursor the stream never had is a gap, not an empty read.
        _ = try await store.submit(JobStoreConformance.spec(), now: JobStoreConformance.at(2))
        let after = try await store.waitingSnapshot(pools: ["cpu"])
        _ = try await client.send(["DEL", "g:{s0}:feed"])
        #expect(try await store.placementChanges(after: after.cursor, limit: 10) == nil)
        await client.close()
    }
}

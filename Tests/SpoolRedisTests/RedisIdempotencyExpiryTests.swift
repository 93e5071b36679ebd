import Foundation
import JobStoreConformance
import RESPClient
import SpoolCore
import TestSupport
import Testing

@testable import SpoolRedis

/// Idempotency entries older than the window are deleted by later submissions, so the hash does not grow forever.
@Suite(.serialized) struct RedisIdempotencyExpiryTests {
    @Test func expiredEntriesAreDeletedAsNewKeysArrive() async throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        try await server.waitUntilReady()
        let client = server.client()
        let store = RedisJobStore(client: client, namespace: "x", shards: 1, lifecycle: JobStoreConformance.lifecycle)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 0..<40 {
            _ = try await store.submit(JobStoreConformance.spec(key: "old-\(index)"), now: t0)
        }
        func sizes() async throws -> (entries: Int?, times: Int?) {
            (
                try await client.send(["HLEN", .init(store.keys.idempotency(shard: 0))]).int,
                try await client.send(["ZCARD", .init(store.keys.idempotencyTimes(shard: 0))]).int
            )
        }
        #expect(try await sizes() == (40, 40))

        // Within the window nothing goes; the old keys still name their jobs.
        let withinWindow = t0.addingTimeInterval(23 * 3600)
        let replay = try await store.submit(JobStoreConformance.spec(key: "old-0"), now: withinWindow)
        #expect(!replay.created)
        _ = try await store.submit(JobStoreConformance.spec(key: "fresh-0"), now: withinWindow)
        #expect(try await sizes() == (41, 41))

        // A day later, each keyed submission clears up to 16 expired entries.
        let nextDay = t0.addingTimeInterval(25 * 3600)
        for index in 1...3 {
            _ = try await store.submit(JobStoreConformance.spec(key: "fresh-\(index)"), now: nextDay)
        }
        #expect(try await sizes() == (4, 4))
        // The jobs themselves stay; only their keys expired.
        #expect(try await store.countByState()[.queued] == 44)
        await client.close()
    }
}

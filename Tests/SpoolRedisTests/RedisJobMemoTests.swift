import Foundation
import JobStoreConformance
import RESPClient
import SpoolCore
import SpoolRedis
import TestSupport
import Testing

/// A store keeps the jobs it decoded or wrote and reuses one while its stored text is unchanged; a change made by
/// another process (another store on the same Redis) is read fresh, never the kept copy.
@Suite(.serialized) struct RedisJobMemoTests {
    @Test func aChangeByAnotherProcessIsReadFreshAndOwnWritesReadBackEqual() async throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        try await server.waitUntilReady()
        let (clientA, clientB) = (server.client(), server.client())
        let gateway = RedisJobStore(
            client: clientA, namespace: "memo", shards: 2, lifecycle: JobStoreConformance.lifecycle)
        let worker = RedisJobStore(
            client: clientB, namespace: "memo", shards: 2, lifecycle: JobStoreConformance.lifecycle)
        let (submitted, created) = try await gateway.submit(
            JobStoreConformance.spec(priority: 7), now: JobStoreConformance.at(0))
        #expect(created)
        // Read back right after its own write: equal to what was written (the kept copy, or a decode of the text).
        #expect(try await gateway.job(submitted.id) == submitted)
        // Another store cancels it; the first one must see the cancellation, not its kept copy.
        let cancelled = try await worker.apply(.cancel, to: submitted.id, now: JobStoreConformance.at(1)).job
        #expect(cancelled.state == .cancelled)
        let seen = try await gateway.job(submitted.id)
        #expect(seen?.state == .cancelled)
        #expect(seen == cancelled)
        // And the other way round: a retry written by the first store is what the second reads.
        let retried = try await gateway.apply(.retry, to: submitted.id, now: JobStoreConformance.at(2)).job
        #expect(try await worker.job(submitted.id) == retried)
        await clientA.close()
        await clientB.close()
    }
}

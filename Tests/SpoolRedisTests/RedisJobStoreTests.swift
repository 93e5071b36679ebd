import Foundation
import JobStoreConformance
import RESPClient
import SpoolCore
import SpoolRedis
import TestSupport
import Testing

/// The same conformance checks the SQLite store passes, against a real redis-server.
@Suite(.serialized) struct RedisJobStoreTests {
    @Test(arguments: JobStoreConformance.Check.allCases)
    func conformance(_ check: JobStoreConformance.Check) async throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        try await server.waitUntilReady()
        let client = server.client()
        let store = RedisJobStore(client: client, namespace: "t", shards: 3, lifecycle: JobStoreConformance.lifecycle)
        try await JobStoreConformance.run(check, on: store)
        await client.close()
    }
}

/// The same checks on a real six-node Redis Cluster: every script and transaction stays within one hash slot.
@Suite(.serialized) struct RedisClusterJobStoreTests {
    @Test func conformanceOnACluster() async throws {
        let cluster = try await RedisClusterProcesses()
        defer { cluster.stop() }
        let client = cluster.client()
        // One cluster for every check; a namespace per check keeps each store fresh.
        for check in JobStoreConformance.Check.allCases {
            let store = RedisJobStore(
                client: client, namespace: "c-\(check.rawValue)", shards: 4, lifecycle: JobStoreConformance.lifecycle)
            try await JobStoreConformance.run(check, on: store)
        }
        await client.close()
    }
}

import Foundation
import RESPClient
import SpoolCore

extension RedisJobStore {
    /// How many decisions of all pools together the shared list keeps, per pool kept.
    static let sharedDecisionFactor = 10

    public func pools() async throws -> [PoolSpec] {
        let values = try await call { try await client.send(["HVALS", .init(keys.pools)]) }.array ?? []
        return try values.compactMap(\.string).map { try StoredJSON.decode(PoolSpec.self, from: $0, what: "pool spec") }
            .sorted { $0.name < $1.name }
    }

    public func createPool(_ pool: PoolSpec) async throws {
        let body = try StoredJSON.encode(pool)
        let created = try await call {
            try await client.send(["HSETNX", .init(keys.pools), .init(pool.name), .init(body)], replicated: true)
        }
        guard created.int == 1 else { throw PoolStoreError.exists(pool.name) }
    }

    public func updatePool(_ pool: PoolSpec) async throws {
        let body = try StoredJSON.encode(pool)
        let replaced = try await call {
            try await client.run(
                script: RedisScripts.replaceExisting, keys: [.init(keys.pools)],
                arguments: [.init(pool.name), .init(body)])
        }
        guard replaced.int == 1 else { throw PoolStoreError.notFound(pool.name) }
    }

    public func deletePool(named name: String) async throws {
        try await call { try await client.send(["HDEL", .init(keys.pools), .init(name)], replicated: true) }
    }

    public func recordScalingDecision(_ record: ScalingRecord, keep: Int) async throws {
        let entry = "\(record.pool)\u{1}\(Self.millis(record.time))\u{1}\(record.json)"
        let keep = max(keep, 1)
        // Both lists share the {pools} tag, so one script writes them on one node.
        try await call {
            try await client.run(
                script: RedisScripts.recordDecision,
                keys: [.init(keys.scalingDecisions(pool: record.pool)), .init(keys.scalingDecisions(pool: nil))],
                arguments: [.init(entry), .init(keep), .init(keep * Self.sharedDecisionFactor)])
        }
    }

    public func scalingDecisions(pool: String?, limit: Int) async throws -> [ScalingRecord] {
        let key = keys.scalingDecisions(pool: pool)
        let values =
            try await call {
                try await client.send(["LRANGE", .init(key), "0", .init(max(limit, 1) - 1)])
            }.array ?? []
        return values.compactMap(\.string).compactMap { entry in
            let parts = entry.split(separator: "\u{1}", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let millis = Double(parts[1]) else { return nil }
            return ScalingRecord(
                pool: String(parts[0]), time: Date(timeIntervalSince1970: millis / 1000), json: String(parts[2]))
        }
    }
}

import Foundation
import RESPClient
import SpoolCore

extension RedisJobStore {
    public func createTenant(_ tenant: Tenant) async throws {
        let created = try await call {
            try await client.run(
                script: RedisScripts.createTenant, keys: [.init(keys.tenants), .init(keys.tenantKeys)],
                arguments: [.init(tenant.id.rawValue), .init(try StoredJSON.encode(tenant)), .init(tenant.keyHash)])
        }
        guard created.int == 1 else { throw TenantStoreError.exists(tenant.id) }
    }

    public func tenants() async throws -> [Tenant] {
        let values = try await call { try await client.send(["HVALS", .init(keys.tenants)]) }.array ?? []
        return try values.compactMap(\.string).map { try StoredJSON.decode(Tenant.self, from: $0, what: "tenant") }
            .sorted { $0.id.rawValue < $1.id.rawValue }
    }

    public func tenant(_ id: TenantID) async throws -> Tenant? {
        let value = try await call { try await client.send(["HGET", .init(keys.tenants), .init(id.rawValue)]) }
        return try value.string.map { try StoredJSON.decode(Tenant.self, from: $0, what: "tenant") }
    }

    public func tenant(keyHash: String) async throws -> Tenant? {
        let id = try await call { try await client.send(["HGET", .init(keys.tenantKeys), .init(keyHash)]) }
        guard let name = id.string, let tenant = try await tenant(TenantID(rawValue: name)),
            tenant.keyHash == keyHash
        else { return nil }
        return tenant
    }

    public func updateTenant(_ tenant: Tenant) async throws {
        guard let current = try await self.tenant(tenant.id) else { throw TenantStoreError.notFound(tenant.id) }
        try await replace(
            tenant.id, body: try StoredJSON.encode(tenant), oldHash: current.keyHash, newHash: tenant.keyHash)
    }

    public func deleteTenant(_ id: TenantID) async throws {
        guard let current = try await tenant(id) else { throw TenantStoreError.notFound(id) }
        try await replace(id, body: "", oldHash: current.keyHash, newHash: "")
    }

    private func replace(_ id: TenantID, body: String, oldHash: String, newHash: String) async throws {
        let done = try await call {
            try await client.run(
                script: RedisScripts.replaceTenant, keys: [.init(keys.tenants), .init(keys.tenantKeys)],
                arguments: [.init(id.rawValue), .init(body), .init(oldHash), .init(newHash)])
        }
        guard done.int == 1 else { throw TenantStoreError.notFound(id) }
    }

    public func countByState(tenant: TenantID) async throws -> [JobState: Int] {
        let replies = try await client.pipeline(
            JobState.allCases.map { ["ZCARD", .init(keys.state($0, tenant: tenant))] })
        var counts: [JobState: Int] = [:]
        for (state, reply) in zip(JobState.allCases, replies) {
            counts[state] = try reply.mapError(StoreError.from).get().int ?? 0
        }
        return counts
    }

    public func addUsage(_ usage: TenantUsage, tenant: TenantID, day: String) async throws -> TenantUsage {
        let reply = try await call {
            try await client.run(
                script: RedisScripts.addUsage, keys: [.init(keys.usage(tenant, day: day))],
                arguments: TenantUsageFields.values(of: usage).map { .init($0) }
                    + [.init(TenantUsageFields.lifetimeSeconds)])
        }
        return TenantUsageFields.usage(from: reply.array ?? [])
    }

    public func usage(tenant: TenantID, day: String) async throws -> TenantUsage {
        try await usage(tenant: tenant, days: [day])[day] ?? TenantUsage()
    }

    public func usage(tenant: TenantID, days: [String]) async throws -> [String: TenantUsage] {
        guard !days.isEmpty else { return [:] }
        let fields = TenantUsageFields.names.map { RESPArgument($0) }
        let replies: [Result<RESPValue, RedisError>]
        do {
            replies = try await client.pipeline(days.map { ["HMGET", .init(keys.usage(tenant, day: $0))] + fields })
        } catch let error as RedisError {
            throw StoreError.from(error)
        }
        var found: [String: TenantUsage] = [:]
        for (day, reply) in zip(days, replies) {
            let values = try reply.mapError(StoreError.from).get().array ?? []
            // A day without counters answers nil for every field.
            guard values.contains(where: { $0.double != nil }) else { continue }
            found[day] = TenantUsageFields.usage(from: values)
        }
        return found
    }
}

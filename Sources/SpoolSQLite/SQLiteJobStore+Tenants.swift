import Foundation
import GRDB
import SpoolCore

extension SQLiteJobStore {
    public func createTenant(_ tenant: Tenant) async throws {
        let body = try StoredJSON.encode(tenant)
        try await write { db in
            try db.execute(
                sql: "INSERT INTO tenants (id, key_hash, body) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING",
                arguments: [tenant.id.rawValue, tenant.keyHash, body])
            guard db.changesCount == 1 else { throw TenantStoreError.exists(tenant.id) }
        }
    }

    public func tenants() async throws -> [Tenant] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT body FROM tenants ORDER BY id").map {
                try StoredJSON.decode(Tenant.self, from: $0, what: "tenant")
            }
        }
    }

    public func tenant(_ id: TenantID) async throws -> Tenant? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT body FROM tenants WHERE id = ?", arguments: [id.rawValue]).map {
                try StoredJSON.decode(Tenant.self, from: $0, what: "tenant")
            }
        }
    }

    public func tenant(keyHash: String) async throws -> Tenant? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT body FROM tenants WHERE key_hash = ?", arguments: [keyHash]).map {
                try StoredJSON.decode(Tenant.self, from: $0, what: "tenant")
            }
        }
    }

    public func updateTenant(_ tenant: Tenant) async throws {
        let body = try StoredJSON.encode(tenant)
        try await write { db in
            try db.execute(
                sql: "UPDATE tenants SET key_hash = ?, body = ? WHERE id = ?",
                arguments: [tenant.keyHash, body, tenant.id.rawValue])
            guard db.changesCount == 1 else { throw TenantStoreError.notFound(tenant.id) }
        }
    }

    public func deleteTenant(_ id: TenantID) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM tenants WHERE id = ?", arguments: [id.rawValue])
            guard db.changesCount == 1 else { throw TenantStoreError.notFound(id) }
        }
    }

    public func countByState(tenant: TenantID) async throws -> [JobState: Int] {
        try await read { db in
            var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(
                db, sql: "SELECT state, COUNT(*) AS n FROM jobs WHERE tenant = ? GROUP BY state",
                arguments: [tenant.rawValue])
            {
                let name: String = row["state"]
                if let state = JobState(rawValue: name) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    public func addUsage(_ usage: TenantUsage, tenant: TenantID, day: String) async throws -> TenantUsage {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO tenant_usage (tenant, day, upload_bytes, gpu_seconds, jobs, cpu_seconds, cost,
                        priced_attempts, energy_joules, energy_attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(tenant, day) DO UPDATE SET
                        upload_bytes = upload_bytes + excluded.upload_bytes,
                        gpu_seconds = gpu_seconds + excluded.gpu_seconds,
                        jobs = jobs + excluded.jobs,
                        cpu_seconds = cpu_seconds + excluded.cpu_seconds,
                        cost = cost + excluded.cost,
                        priced_attempts = priced_attempts + excluded.priced_attempts,
                        energy_joules = energy_joules + excluded.energy_joules,
                        energy_attempts = energy_attempts + excluded.energy_attempts
                    """,
                arguments: [
                    tenant.rawValue, day, usage.uploadBytes, usage.gpuSeconds, usage.jobs, usage.cpuSeconds,
                    usage.cost, usage.pricedAttempts, usage.energyJoules, usage.energyAttempts,
                ])
            return try Self.usage(db, tenant: tenant, days: [day])[day] ?? TenantUsage()
        }
    }

    public func usage(tenant: TenantID, day: String) async throws -> TenantUsage {
        try await read { db in try Self.usage(db, tenant: tenant, days: [day])[day] ?? TenantUsage() }
    }

    public func usage(tenant: TenantID, days: [String]) async throws -> [String: TenantUsage] {
        try await read { db in try Self.usage(db, tenant: tenant, days: days) }
    }

    private static func usage(_ db: Database, tenant: TenantID, days: [String]) throws -> [String: TenantUsage] {
        guard let first = days.min(), let last = days.max() else { return [:] }
        let wanted = Set(days)
        var found: [String: TenantUsage] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT day, upload_bytes, gpu_seconds, jobs, cpu_seconds, cost, priced_attempts, energy_joules,
                    energy_attempts
                FROM tenant_usage WHERE tenant = ? AND day BETWEEN ? AND ?
                """,
            arguments: [tenant.rawValue, first, last])
        {
            let day: String = row["day"]
            guard wanted.contains(day) else { continue }
            found[day] = TenantUsage(
                uploadBytes: row["upload_bytes"], gpuSeconds: row["gpu_seconds"], jobs: row["jobs"],
                cpuSeconds: row["cpu_seconds"], cost: row["cost"], pricedAttempts: row["priced_attempts"],
                energyJoules: row["energy_joules"], energyAttempts: row["energy_attempts"])
        }
        return found
    }
}

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
                    INSERT INTO tenant_usage (tenant, day, upload_bytes, gpu_seconds) VALUES (?, ?, ?, ?)
                    ON CONFLICT(tenant, day) DO UPDATE SET
                        upload_bytes = upload_bytes + excluded.upload_bytes,
                        gpu_seconds = gpu_seconds + excluded.gpu_seconds
                    """,
                arguments: [tenant.rawValue, day, usage.uploadBytes, usage.gpuSeconds])
            return try Self.usage(db, tenant: tenant, day: day)
        }
    }

    public func usage(tenant: TenantID, day: String) async throws -> TenantUsage {
        try await read { db in try Self.usage(db, tenant: tenant, day: day) }
    }

    private static func usage(_ db: Database, tenant: TenantID, day: String) throws -> TenantUsage {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT upload_bytes, gpu_seconds FROM tenant_usage WHERE tenant = ? AND day = ?",
                arguments: [tenant.rawValue, day])
        else { return TenantUsage() }
        return TenantUsage(uploadBytes: row["upload_bytes"], gpuSeconds: row["gpu_seconds"])
    }
}

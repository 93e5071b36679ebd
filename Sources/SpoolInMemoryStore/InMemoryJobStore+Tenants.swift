import Foundation
import SpoolCore

/// Tenants, found by id or by the hash of their key, and their daily usage counters.
extension InMemoryJobStore {
    public func createTenant(_ tenant: Tenant) async throws {
        guard tenantsByID[tenant.id] == nil else { throw TenantStoreError.exists(tenant.id) }
        try checkKeyHashIsFree(tenant)
        tenantsByID[tenant.id] = tenant
        tenantIDsByKeyHash[tenant.keyHash] = tenant.id
    }

    public func tenants() async throws -> [Tenant] {
        tenantsByID.values.sorted { $0.id.rawValue < $1.id.rawValue }
    }

    public func tenant(_ id: TenantID) async throws -> Tenant? {
        tenantsByID[id]
    }

    public func tenant(keyHash: String) async throws -> Tenant? {
        tenantIDsByKeyHash[keyHash].flatMap { tenantsByID[$0] }
    }

    public func updateTenant(_ tenant: Tenant) async throws {
        guard let current = tenantsByID[tenant.id] else { throw TenantStoreError.notFound(tenant.id) }
        try checkKeyHashIsFree(tenant)
        // A rotated key: the old hash stops finding the tenant in the same step as the new one starts.
        tenantIDsByKeyHash[current.keyHash] = nil
        tenantIDsByKeyHash[tenant.keyHash] = tenant.id
        tenantsByID[tenant.id] = tenant
    }

    public func deleteTenant(_ id: TenantID) async throws {
        guard let current = tenantsByID.removeValue(forKey: id) else { throw TenantStoreError.notFound(id) }
        tenantIDsByKeyHash[current.keyHash] = nil
    }

    public func countByState(tenant: TenantID) async throws -> [JobState: Int] {
        stateCounts(tenant: tenant)
    }

    public func addUsage(_ usage: TenantUsage, tenant: TenantID, day: String) async throws -> TenantUsage {
        let key = UsageKey(tenant: tenant, day: day)
        let total = (usageByDay[key] ?? TenantUsage()) + usage
        usageByDay[key] = total
        return total
    }

    public func usage(tenant: TenantID, day: String) async throws -> TenantUsage {
        usageByDay[UsageKey(tenant: tenant, day: day)] ?? TenantUsage()
    }

    public func usage(tenant: TenantID, days: [String]) async throws -> [String: TenantUsage] {
        var found: [String: TenantUsage] = [:]
        for day in days {
            if let usage = usageByDay[UsageKey(tenant: tenant, day: day)] { found[day] = usage }
        }
        return found
    }

    /// A key hash names one tenant. SQLite's unique index refuses a second tenant with the same hash (a write error
    /// it reports as `unavailable`); so does this store, with the same error, rather than letting one key sign in
    /// as two tenants.
    private func checkKeyHashIsFree(_ tenant: Tenant) throws {
        if let holder = tenantIDsByKeyHash[tenant.keyHash], holder != tenant.id {
            throw StoreError.unavailable("tenant \(tenant.id)'s key hash already belongs to tenant \(holder)")
        }
    }
}

/// One tenant's counters of one UTC day.
struct UsageKey: Hashable, Sendable {
    var tenant: TenantID
    var day: String
}

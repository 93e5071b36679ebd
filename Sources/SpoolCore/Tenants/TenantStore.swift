import Foundation

/// Tenants and their daily usage, in the same store as the jobs.
public protocol TenantStore: Sendable {
    /// Throws `TenantStoreError.exists` when the id is taken.
    func createTenant(_ tenant: Tenant) async throws
    func tenants() async throws -> [Tenant]
    func tenant(_ id: TenantID) async throws -> Tenant?
    /// The tenant whose key hashes to this, if any.
    func tenant(keyHash: String) async throws -> Tenant?
    /// Replaces a tenant (new limits, a rotated key: the old key stops working at once).
    func updateTenant(_ tenant: Tenant) async throws
    /// Removes the tenant and its key; its jobs stay.
    func deleteTenant(_ id: TenantID) async throws
    /// Jobs of one tenant per state.
    func countByState(tenant: TenantID) async throws -> [JobState: Int]
    /// Adds to today's counters and returns the totals after the addition.
    @discardableResult
    func addUsage(_ usage: TenantUsage, tenant: TenantID, day: String) async throws -> TenantUsage
    func usage(tenant: TenantID, day: String) async throws -> TenantUsage
    /// The counters of each of `days` that has any; a day without is left out.
    func usage(tenant: TenantID, days: [String]) async throws -> [String: TenantUsage]
}

public enum TenantStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case exists(TenantID)
    case notFound(TenantID)

    public var description: String {
        switch self {
        case .exists(let id): "a tenant named \(id) exists already; rotate its key or choose another name"
        case .notFound(let id): "no tenant named \(id); `spool tenants list` shows them"
        }
    }
}

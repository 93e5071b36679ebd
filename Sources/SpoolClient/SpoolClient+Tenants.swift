import Foundation
import SpoolAPIModels
import SpoolCore

extension SpoolClient {
    /// Creates a tenant; the answer carries its API key, shown this once.
    public func createTenant(_ request: TenantRequest) async throws -> TenantView {
        try await send("POST", "/v1/admin/tenants", body: try JSONEncoder().encode(request))
    }

    public func tenants() async throws -> [TenantView] {
        let list: TenantList = try await send("GET", "/v1/admin/tenants")
        return list.tenants
    }

    public func updateTenant(_ id: String, limits: TenantLimits) async throws -> TenantView {
        try await send("PATCH", "/v1/admin/tenants/\(id)", body: try JSONEncoder().encode(limits))
    }

    /// A new key for the tenant; the old one stops working.
    public func rotateKey(_ id: String) async throws -> TenantView {
        try await send("POST", "/v1/admin/tenants/\(id)/rotate-key")
    }

    public func deleteTenant(_ id: String) async throws {
        let _: Empty = try await send("DELETE", "/v1/admin/tenants/\(id)")
    }
}

struct TenantList: Decodable { var tenants: [TenantView] }

/// The body of a 204: nothing to decode.
struct Empty: Decodable {}

extension SpoolClient {
    /// A tenant's usage per UTC day over `from`…`to` (`YYYY-MM-DD`; nil: the server's default, the last 30 days).
    public func tenantUsage(_ id: String, from: String? = nil, to: String? = nil) async throws -> TenantUsageView {
        let query = [from.map { "from=\($0)" }, to.map { "to=\($0)" }].compactMap { $0 }
        let path = "/v1/tenants/\(id)/usage" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        return try await send("GET", path)
    }
}

import SpoolCore

/// What the admin API shows of a tenant: never the key or its hash. `api_key` is set only in the answer that
/// created or rotated it.
public struct TenantView: Codable, Sendable, Equatable {
    public var id: TenantID
    public var keyHint: String
    public var limits: TenantLimits
    public var apiKey: String?

    public init(_ tenant: Tenant, apiKey: String? = nil) {
        id = tenant.id
        keyHint = tenant.keyHint
        limits = tenant.limits
        self.apiKey = apiKey
    }

    enum CodingKeys: String, CodingKey {
        case id, limits
        case keyHint = "key_hint"
        case apiKey = "api_key"
    }
}

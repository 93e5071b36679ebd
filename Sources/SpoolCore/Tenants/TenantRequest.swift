/// `POST /v1/admin/tenants`: a new tenant's name and limits.
public struct TenantRequest: Codable, Sendable, Equatable {
    public var id: String
    public var limits: TenantLimits?

    public init(id: String, limits: TenantLimits? = nil) {
        self.id = id
        self.limits = limits
    }

    /// Tenant names become directory names under the data directory, so only plain names pass.
    public func validatedID() throws(SpecError) -> TenantID {
        try PlainName.check(id, field: "id")
        guard id != TenantID.default.rawValue else {
            throw SpecError(
                field: "id", rule: "reserved", message: "'default' is the keyless local tenant; choose another name")
        }
        return TenantID(rawValue: id)
    }
}

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

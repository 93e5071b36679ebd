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

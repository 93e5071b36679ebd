import Foundation
import SpoolCore

/// The answer to `POST /v1/sessions`: whose session it is and when it ends (the token travels in a cookie).
public struct SessionView: Codable, Sendable, Equatable {
    public var tenant: TenantID?
    public var expiresAt: Date

    public init(tenant: TenantID?, expiresAt: Date) {
        self.tenant = tenant
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case tenant
        case expiresAt = "expires_at"
    }
}

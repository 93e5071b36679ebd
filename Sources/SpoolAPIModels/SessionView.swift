import Foundation
import SpoolCore

/// Who a browser is signed in as: the answer to `POST /v1/sessions` and `GET /v1/sessions/current`. The session's
/// token travels only in its HttpOnly cookie; `csrfToken` is what a page must echo in `X-CSRF-Token` on every write.
public struct SessionView: Codable, Sendable, Equatable {
    public enum CallerKind: String, Codable, Sendable {
        /// The admin key's session: every tenant, the operator views.
        case admin
        /// One tenant's session: its own jobs only.
        case tenant
        /// A keyless server on loopback: no sign-in, the default tenant and the operator views.
        case local
    }

    public enum Authentication: String, Codable, Sendable {
        case keys, keyless
    }

    public var caller: CallerKind
    public var tenant: TenantID?
    public var authentication: Authentication
    /// When the session ends; nil for a keyless server, which has no sessions.
    public var expiresAt: Date?
    public var csrfToken: String?

    public init(
        caller: CallerKind, tenant: TenantID?, authentication: Authentication, expiresAt: Date?, csrfToken: String?
    ) {
        self.caller = caller
        self.tenant = tenant
        self.authentication = authentication
        self.expiresAt = expiresAt
        self.csrfToken = csrfToken
    }

    enum CodingKeys: String, CodingKey {
        case caller, tenant, authentication
        case expiresAt = "expires_at"
        case csrfToken = "csrf_token"
    }
}

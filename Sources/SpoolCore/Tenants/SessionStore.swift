import Foundation

/// A signed-in browser: the web pages' session, found by the hash of its cookie.
public struct WebSession: Codable, Sendable, Equatable {
    /// SHA-256 of the cookie's token; the token itself is only in the browser.
    public var tokenHash: String
    /// The tenant it acts for; nil for the admin.
    public var tenant: TenantID?
    public var expiresAt: Date

    public init(tokenHash: String, tenant: TenantID?, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.tenant = tenant
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case tenant
        case tokenHash = "token_hash"
        case expiresAt = "expires_at"
    }
}

/// Where sessions live: Redis in a cluster (every gateway sees them, Redis expires them), the SQLite file alone.
public protocol SessionStore: Sendable {
    func saveSession(_ session: WebSession, now: Date) async throws
    /// The session, unless it is unknown or expired at `now`.
    func session(tokenHash: String, now: Date) async throws -> WebSession?
    func deleteSession(tokenHash: String) async throws
}

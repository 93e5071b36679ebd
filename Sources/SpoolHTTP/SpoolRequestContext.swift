import Foundation
import Hummingbird
import NIOCore
import SpoolCore

/// The request context of Spool's routes: who is calling (set by `AuthenticationMiddleware`) and from where.
public struct SpoolRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: Caller = .anonymous
    /// Set when a session cookie, not a key, authenticated the request.
    public var session: CookieSession?
    /// The client's address as the socket sees it (a balancer in front shows up as itself).
    public let clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}

/// Who a request acts for.
public enum Caller: Sendable, Equatable {
    /// No credentials checked yet (public routes: health, metrics, the OpenAPI document).
    case anonymous
    /// The keyless default tenant of a server on loopback without an admin key.
    case local
    /// The admin key: the admin API, and every tenant's jobs.
    case admin
    case tenant(Tenant)

    /// The tenant whose jobs, uploads and outputs the caller sees; nil sees all (admin).
    public var scope: TenantID? {
        switch self {
        case .anonymous, .local: .default
        case .admin: nil
        case .tenant(let tenant): tenant.id
        }
    }

    /// The tenant new jobs and uploads belong to.
    public var owner: TenantID {
        if case .tenant(let tenant) = self { return tenant.id }
        return .default
    }

    public var limits: TenantLimits? {
        if case .tenant(let tenant) = self { return tenant.limits }
        return nil
    }

    public func sees(_ tenant: TenantID) -> Bool { scope.map { $0 == tenant } ?? true }
}

/// A browser's session as its cookie presented it: the token (whose CSRF token writes must echo) and its end.
public struct CookieSession: Sendable, Equatable {
    public var token: String
    public var expiresAt: Date
}

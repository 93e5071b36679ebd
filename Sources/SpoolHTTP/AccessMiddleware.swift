import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SpoolCore
import Synchronization

/// Finds out who calls (`Authorization: Bearer KEY`), refuses unknown keys with 401 and the admin API to anyone but
/// the admin with 403, then meters the caller's tenant and address. Only `/v1` is guarded: health, readiness,
/// metrics and the OpenAPI document stay open for balancers and scrapers.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = SpoolRequestContext

    let mode: AuthenticationMode
    let tenants: TenantKeyCache
    let sessions: any SessionStore
    let limiter: any RateLimiter
    let rates: RateLimitSettings
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        guard path.hasPrefix("/v1/") || path == "/v1" else { return try await next(request, context) }
        var context = context
        let identity = try await identify(request)
        context.caller = identity.caller
        context.session = identity.session
        if let refusal = CrossSiteWrites.refusal(
            method: request.method, headers: request.headers, authority: request.head.authority,
            sessionToken: identity.session?.token)
        {
            throw refusal
        }
        if path.hasPrefix("/v1/admin/") || path == "/v1/admin" {
            guard context.caller == .admin else {
                throw Problem.forbidden(
                    mode == .keyless
                        ? "the admin API needs the admin key: start the server with SPOOL_ADMIN_KEY (or "
                            + "--admin-key-file) set"
                        : "the admin API needs the admin key, not a tenant's", rule: "admin_only")
            }
        }
        let decisions = try await meter(context)
        var response = try await next(request, context)
        Self.addRateHeaders(decisions, to: &response.headers)
        return response
    }

    /// The tighter of the two limits is the one a client should pace itself by.
    static func addRateHeaders(_ decisions: [RateDecision], to fields: inout HTTPFields) {
        decisions.min(by: { $0.remaining < $1.remaining })?.addHeaders(to: &fields)
    }

    /// The caller, when it is known without waiting: no key on a keyless server, or a key whose tenant is cached (or
    /// the admin's). Nil when `identify` must decide: a session cookie, a key not cached, no key where keys are needed.
    func callerWithoutWaiting(_ headers: HTTPFields) -> Caller? {
        let key = headers[.authorization].flatMap(Self.bearer)
        switch mode {
        case .keyless:
            guard let key else { return .local }
            guard let cached = tenants.cachedTenant(keyHash: APIKeys.hash(key)) else { return nil }
            return cached.map(Caller.tenant) ?? .local
        case .keys(let adminKeyHash):
            guard let key else { return nil }
            let hash = APIKeys.hash(key)
            if APIKeys.constantTimeEqual(hash, adminKeyHash) { return .admin }
            guard let cached = tenants.cachedTenant(keyHash: hash), let tenant = cached else { return nil }
            return .tenant(tenant)
        }
    }

    /// `meter` when the limiter allows the request at once; nil, having counted nothing, when `meter` must decide.
    func meterWithoutWaiting(_ caller: Caller, clientAddress: String) -> [RateDecision]? {
        guard caller != .admin else { return [] }
        return limiter.checkWithoutWaiting(checks(caller, clientAddress: clientAddress))
    }

    /// The caller, and its session when a cookie (not a key) authenticated it.
    func identify(_ request: Request) async throws -> (caller: Caller, session: CookieSession?) {
        let key = request.headers[.authorization].flatMap(Self.bearer)
        switch mode {
        case .keyless:
            guard let key else { return (.local, nil) }
            return (try await tenants.tenant(keyHash: APIKeys.hash(key)).map(Caller.tenant) ?? .local, nil)
        case .keys(let adminKeyHash):
            guard let key else {
                // A browser signed in with POST /v1/sessions sends its cookie instead.
                if let token = SpoolAPI.sessionToken(request) {
                    guard let session = try await sessions.session(tokenHash: APIKeys.hash(token), now: Date()) else {
                        throw Problem.unauthorized("the session has expired or was signed out; sign in again")
                    }
                    let signedIn = CookieSession(token: token, expiresAt: session.expiresAt)
                    guard let id = session.tenant else { return (.admin, signedIn) }
                    guard let tenant = try await tenants.store.tenant(id) else {
                        throw Problem.unauthorized("the session's tenant no longer exists")
                    }
                    return (.tenant(tenant), signedIn)
                }
                throw Problem.unauthorized("this server needs an API key: send Authorization: Bearer KEY")
            }
            let hash = APIKeys.hash(key)
            if APIKeys.constantTimeEqual(hash, adminKeyHash) { return (.admin, nil) }
            guard let tenant = try await tenants.tenant(keyHash: hash) else {
                throw Problem.unauthorized("the API key is not valid: it may have been rotated or its tenant deleted")
            }
            return (.tenant(tenant), nil)
        }
    }

    /// The caller's tenant and address, each against its limit.
    func checks(_ caller: Caller, clientAddress: String) -> [(key: String, limit: RateLimit, scope: String)] {
        let tenantRate = caller.limits?.requestsPerSecond.map {
            RateLimit(perSecond: $0, burst: max(Int($0.rounded(.up)), 1))
        }
        return [
            ("t:" + caller.owner.rawValue, tenantRate ?? rates.tenantDefault, "tenant"),
            ("a:" + clientAddress, rates.perAddress, "address"),
        ]
    }

    func meter(_ context: Context) async throws -> [RateDecision] {
        guard context.caller != .admin else { return [] }
        let decisions: [RateDecision]
        do {
            decisions = try await limiter.check(checks(context.caller, clientAddress: context.clientAddress))
        } catch {
            switch rates.onError {
            case .allow:
                logger.warning("rate limiter unavailable; serving unmetered", metadata: ["error": "\(error)"])
                return []
            case .deny:
                throw Problem.unavailable("the rate limiter cannot be reached; retry shortly")
            }
        }
        if let refused = decisions.first(where: { !$0.allowed }) {
            throw Problem.rateLimited(refused, scope: refused.scope)
        }
        return decisions
    }

    static func bearer(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let key = parts[1].trimmingCharacters(in: .whitespaces)
        return key.isEmpty ? nil : key
    }
}

/// Tenants by key hash, kept a few seconds so a busy gateway does not ask the store on every request. A rotated or
/// deleted key stops working within that time on every gateway.
final class TenantKeyCache: Sendable {
    let store: any TenantStore
    let lifetime: Duration
    private let entries = Mutex(
        BoundedCache<String, (tenant: Tenant?, storedAt: ContinuousClock.Instant)>(
            capacity: 10_000, policy: .lru))

    init(store: any TenantStore, lifetime: Duration = .seconds(5)) {
        self.store = store
        self.lifetime = lifetime
    }

    /// The cached tenant of a key (nil inside: no tenant has it), or nil when the cache does not know it or its entry
    /// is older than `lifetime`.
    func cachedTenant(keyHash: String) -> Tenant?? {
        let now = ContinuousClock.now
        guard let cached = entries.withLock({ $0.value(for: keyHash) }), now - cached.storedAt < lifetime else {
            return nil
        }
        return .some(cached.tenant)
    }

    func tenant(keyHash: String) async throws -> Tenant? {
        if let cached = cachedTenant(keyHash: keyHash) { return cached }
        let now = ContinuousClock.now
        let tenant = try await store.tenant(keyHash: keyHash)
        entries.withLock { $0.set((tenant, now), for: keyHash) }
        return tenant
    }

    func forget() { entries.withLock { $0 = BoundedCache(capacity: $0.capacity, policy: $0.policy) } }
}

import Foundation
import HTTPTypes
import Hummingbird
import SpoolAPIModels
import SpoolCore

extension SpoolAPI {
    /// Web sessions: a key (tenant or admin) signs a browser in for `sessionLifetime`, as an HttpOnly, SameSite=Strict
    /// cookie; the access middleware accepts the cookie where no Authorization header is sent.
    func addSessionRoutes(to router: Router<SpoolRequestContext>) {
        router.post("/v1/sessions") { _, context -> Response in
            let tenant: TenantID?
            switch context.caller {
            case .admin: tenant = nil
            case .tenant(let known): tenant = known.id
            case .local, .anonymous:
                throw Problem.forbidden(
                    "sessions are for servers with keys: sign in with Authorization: Bearer KEY", rule: "keys_required")
            }
            let token = APIKeys.generate()
            let now = Date()
            let session = WebSession(
                tokenHash: APIKeys.hash(token), tenant: tenant, expiresAt: now.addingTimeInterval(Self.sessionLifetime))
            try await store.saveSession(session, now: now)
            let view = Self.sessionView(
                caller: tenant == nil ? .admin : .tenant, tenant: tenant, .keys,
                CookieSession(token: token, expiresAt: session.expiresAt))
            return try JSONCoding.response(
                view, status: .created,
                headers: [.setCookie: Self.cookie(token, maxAge: Int(Self.sessionLifetime)), .cacheControl: "no-store"])
        }

        // Who the browser is: the console asks on load, and learns the CSRF token its writes must echo.
        router.get("/v1/sessions/current") { _, context -> Response in
            let authentication: SessionView.Authentication =
                configuration.authentication == .keyless ? .keyless : .keys
            let view: SessionView
            switch context.caller {
            case .admin:
                view = Self.sessionView(caller: .admin, tenant: nil, authentication, context.session)
            case .tenant(let tenant):
                view = Self.sessionView(caller: .tenant, tenant: tenant.id, authentication, context.session)
            case .local, .anonymous:
                view = Self.sessionView(caller: .local, tenant: nil, .keyless, nil)
            }
            return try JSONCoding.response(view, headers: [.cacheControl: "no-store"])
        }

        router.delete("/v1/sessions") { request, _ -> Response in
            if let token = Self.sessionToken(request) { try await store.deleteSession(tokenHash: APIKeys.hash(token)) }
            return Response(status: .noContent, headers: [.setCookie: Self.cookie("", maxAge: 0)])
        }
    }

    /// Who the browser is, with the CSRF token its writes must echo when a cookie session (not a key) signed it in.
    static func sessionView(
        caller: SessionView.CallerKind, tenant: TenantID?, _ authentication: SessionView.Authentication,
        _ session: CookieSession?
    ) -> SessionView {
        SessionView(
            caller: caller, tenant: tenant, authentication: authentication, expiresAt: session?.expiresAt,
            csrfToken: session.map { CrossSiteWrites.token(forSession: $0.token) })
    }

    static let sessionLifetime: TimeInterval = 12 * 3600
    static let sessionCookie = "spool_session"

    static func cookie(_ token: String, maxAge: Int) -> String {
        "\(sessionCookie)=\(token); Path=/; Max-Age=\(maxAge); HttpOnly; Secure; SameSite=Strict"
    }

    static func sessionToken(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == sessionCookie, !parts[1].isEmpty { return String(parts[1]) }
            }
        }
        return nil
    }
}

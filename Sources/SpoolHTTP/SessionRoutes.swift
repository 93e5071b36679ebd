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
            return try JSONCoding.response(
                SessionView(tenant: tenant, expiresAt: session.expiresAt), status: .created,
                headers: [.setCookie: Self.cookie(token, maxAge: Int(Self.sessionLifetime)), .cacheControl: "no-store"])
        }

        router.delete("/v1/sessions") { request, _ -> Response in
            if let token = Self.sessionToken(request) { try await store.deleteSession(tokenHash: APIKeys.hash(token)) }
            return Response(status: .noContent, headers: [.setCookie: Self.cookie("", maxAge: 0)])
        }
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

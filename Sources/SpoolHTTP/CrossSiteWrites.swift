import Crypto
import Foundation
import HTTPTypes

/// Defences against cross-site request forgery, for the two ways a browser authenticates without a key:
/// - a session cookie: every write must echo the session's CSRF token in `X-CSRF-Token`. The token is derived from the
///   cookie's secret (which scripts cannot read), so only a page of this origin that asked `GET /v1/sessions/current`
///   knows it; SameSite=Strict on the cookie is the second line.
/// - a keyless server on loopback: no credential at all, so a write that a browser marks as coming from another site
///   (`Sec-Fetch-Site`, else an `Origin` other than this host) is refused. Clients that are not browsers (the CLI,
///   curl) send neither header and are unaffected.
enum CrossSiteWrites {
    static let tokenHeader = HTTPField.Name("X-CSRF-Token")!
    static let fetchSiteHeader = HTTPField.Name("Sec-Fetch-Site")!
    static let originHeader = HTTPField.Name("Origin")!

    /// The CSRF token of the session whose cookie holds `sessionToken`.
    static func token(forSession sessionToken: String) -> String {
        SHA256.hash(data: Data(("spool-csrf\u{0}" + sessionToken).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func isWrite(_ method: HTTPRequest.Method) -> Bool {
        ![.get, .head, .options, .trace].contains(method)
    }

    /// Why a write may not proceed, or nil. `sessionToken` is set when the cookie authenticated the request.
    static func refusal(method: HTTPRequest.Method, headers: HTTPFields, authority: String?, sessionToken: String?)
        -> ProblemError?
    {
        guard isWrite(method) else { return nil }
        if let sessionToken {
            guard let sent = headers[tokenHeader],
                APIKeys.constantTimeEqual(sent, token(forSession: sessionToken))
            else {
                return Problem.forbidden(
                    "a write signed in by cookie needs the session's CSRF token in X-CSRF-Token (from GET "
                        + "/v1/sessions/current); scripts and other clients should send Authorization: Bearer KEY",
                    rule: "csrf")
            }
            return nil
        }
        guard headers[.authorization] == nil else { return nil }
        if let site = headers[fetchSiteHeader] {
            guard site == "same-origin" || site == "none" else { return crossSite }
            return nil
        }
        if let origin = headers[originHeader], let authority, Self.host(ofOrigin: origin) != authority.lowercased() {
            return crossSite
        }
        return nil
    }

    static let crossSite: ProblemError = Problem.forbidden(
        "a write from a page of another site is refused: use the console this server serves, or send "
            + "Authorization: Bearer KEY", rule: "cross_site")

    /// `http://host:port` → `host:port` (lowercased); a malformed or opaque (`null`) origin matches nothing.
    static func host(ofOrigin origin: String) -> String? {
        guard let url = URL(string: origin), let host = url.host else { return nil }
        return (url.port.map { "\(host):\($0)" } ?? host).lowercased()
    }
}

import HTTPTypes
import SpoolCore

/// Whether the API asks for keys.
public enum AuthenticationMode: Sendable, Equatable {
    /// No keys: every caller is the default tenant. Only for a server on loopback (`spool serve` refuses otherwise).
    case keyless
    /// Every `/v1` call needs a tenant's key or the admin key (kept as its SHA-256).
    case keys(adminKeyHash: String)
}

/// Request rates the API allows, and what it does when the limiter cannot be asked.
public struct RateLimitSettings: Sendable, Equatable {
    public enum OnError: String, Sendable, Equatable, CaseIterable {
        /// Serve the request unlimited: an outage of the limiter's store does not become an outage of the API.
        case allow
        /// Refuse with 503: nothing passes unmetered.
        case deny
    }

    /// For tenants without their own rate, and for the keyless default tenant.
    public var tenantDefault: RateLimit
    /// For each client address, whatever tenant it acts for.
    public var perAddress: RateLimit
    public var onError: OnError

    /// High enough that one tenant's thousand busy clients behind one address pass (the gateway benchmark); set
    /// per-tenant rates to meter real customers.
    public init(
        tenantDefault: RateLimit = RateLimit(perSecond: 20_000, burst: 40_000),
        perAddress: RateLimit = RateLimit(perSecond: 20_000, burst: 40_000), onError: OnError = .allow
    ) {
        self.tenantDefault = tenantDefault
        self.perAddress = perAddress
        self.onError = onError
    }
}

extension RateDecision {
    /// `RateLimit-Policy` and `RateLimit` as draft-ietf-httpapi-ratelimit-headers describes them.
    var headers: HTTPFields {
        var fields = HTTPFields()
        addHeaders(to: &fields)
        return fields
    }

    /// The two fields added where they go: every metered answer carries them, and a set of fields made first only to
    /// be copied over was 1 % of a gateway's GET.
    func addHeaders(to fields: inout HTTPFields) {
        let window = max(1, Int((Double(limit) / perSecond).rounded(.up)))
        fields.append(
            HTTPField(name: Self.policyField, value: "\"" + scope + "\";q=" + String(limit) + ";w=" + String(window)))
        fields.append(
            HTTPField(
                name: Self.limitField, value: "\"" + scope + "\";r=" + String(remaining) + ";t=" + String(resetSeconds))
        )
    }

    // Made once: a field name is checked and lowercased as it is made, and every metered request carries both.
    private static let policyField = HTTPField.Name("RateLimit-Policy")!
    private static let limitField = HTTPField.Name("RateLimit")!
}

import SpoolCore

/// The secret a tenant checks its webhook deliveries with, as `GET /v1/webhooks/secret` answers.
public struct WebhookSecretView: Codable, Sendable, Equatable {
    public static let signatureScheme =
        "Spool-Signature: t=UNIX_SECONDS,v1=hex(HMAC-SHA256(secret, \"UNIX_SECONDS.\" + raw body)); "
        + "refuse timestamps older than 5 minutes and repeated Spool-Delivery IDs"

    public var tenant: TenantID
    public var secret: String
    /// How to check a delivery, in one line.
    public var scheme: String

    public init(tenant: TenantID, secret: String, scheme: String = Self.signatureScheme) {
        self.tenant = tenant
        self.secret = secret
        self.scheme = scheme
    }
}

import Crypto
import Foundation
import SpoolCore

/// Signs deliveries the way receivers check them: `Spool-Signature: t=UNIX_SECONDS,v1=HEX`, where HEX is
/// HMAC-SHA256 with the tenant's signing secret over `UNIX_SECONDS.` followed by the raw body. The timestamp lets a
/// receiver refuse replays older than it tolerates (five minutes is usual).
public struct WebhookSigner: Sendable {
    /// The deployment's master secret; each tenant's signing secret is derived from it, so none is stored.
    let master: SymmetricKey

    public init(masterSecret: String) {
        master = SymmetricKey(data: Data(masterSecret.utf8))
    }

    /// The secret a tenant verifies its deliveries with (`GET /v1/webhooks/secret`).
    public func secret(for tenant: TenantID) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("spool-webhook:\(tenant.rawValue)".utf8), using: master)
        return "whsec_" + mac.hexString
    }

    public func signatureHeader(tenant: TenantID, timestamp: Int, body: [UInt8]) -> String {
        "t=\(timestamp),v1=" + Self.signature(secret: secret(for: tenant), timestamp: timestamp, body: body)
    }

    /// What a receiver computes to check a delivery.
    public static func signature(secret: String, timestamp: Int, body: [UInt8]) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(contentsOf: body)
        let key = SymmetricKey(data: Data(secret.utf8))
        return HMAC<SHA256>.authenticationCode(for: message, using: key).hexString
    }
}

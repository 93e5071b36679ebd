import SpoolHTTP

/// Who may call a server, decided from where it listens and whether it has an admin key. A server reachable from
/// other machines without keys would let anyone submit work and read every output, so it refuses to start.
public enum AccessRules {
    /// The shortest admin key accepted: anything shorter is guessable.
    public static let minimumAdminKeyLength = 16

    /// `adminKey` is the key as configured (file or environment), untrimmed; nil or blank means none.
    public static func authentication(host: String, adminKey: String?) throws(AccessRuleError) -> AuthenticationMode {
        if let key = adminKey?.trimmingCharacters(in: .whitespacesAndNewlines), !key.isEmpty {
            guard key.count >= minimumAdminKeyLength else { throw .adminKeyTooShort(length: key.count) }
            return .keys(adminKeyHash: APIKeys.hash(key))
        }
        guard isLoopback(host) else { throw .keylessOffLoopback(host: host) }
        return .keyless
    }

    /// Loopback names and addresses only; `0.0.0.0` and `::` listen on every interface, so they are not.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}

/// Why a server's access settings are refused, and what to do instead.
public enum AccessRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    case keylessOffLoopback(host: String)
    case adminKeyTooShort(length: Int)

    public var description: String {
        switch self {
        case .keylessOffLoopback(let host):
            "refusing to serve \(host) without keys: set SPOOL_ADMIN_KEY or --admin-key-file, then create tenants "
                + "with `spool tenants create` (or listen on 127.0.0.1 for keyless local use)"
        case .adminKeyTooShort(let length):
            "the admin key must have at least \(AccessRules.minimumAdminKeyLength) characters (it has \(length))"
        }
    }
}

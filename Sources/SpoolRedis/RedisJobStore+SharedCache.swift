import Foundation
import RESPClient
import SpoolCore

/// Redis is the shared (L2) cache of a cluster: probe results by input digest, kept under the namespace's `{cache}`
/// slot with an expiry, so the cache never outgrows what was recently used.
extension RedisJobStore: SharedCache {
    public func cachedValue(for key: String) async -> String? {
        try? await client.send(["GET", .init(keys.cache(key))]).string
    }

    public func cache(_ value: String, for key: String, lifetime: Duration) async {
        let seconds = max(1, Int(lifetime.components.seconds))
        _ = try? await client.send(["SET", .init(keys.cache(key)), .init(value), "EX", .init(seconds)])
    }

    public func evictCached(_ key: String) async {
        _ = try? await client.send(["DEL", .init(keys.cache(key))])
    }
}

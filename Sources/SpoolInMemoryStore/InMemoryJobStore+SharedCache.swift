import Foundation
import SpoolCore

/// The shared cache of one process: small recomputable values that expire after their lifetime, as Redis expires
/// them (whole seconds, at least one). Expired entries are dropped when read and swept as the cache grows, so it
/// never outgrows what was recently cached.
extension InMemoryJobStore: SharedCache {
    static let minimumCacheSweepThreshold = 1024

    public func cachedValue(for key: String) async -> String? {
        guard let entry = cacheEntries[key] else { return nil }
        guard clock() < entry.expiresAt else {
            cacheEntries[key] = nil
            return nil
        }
        return entry.value
    }

    public func cache(_ value: String, for key: String, lifetime: Duration) async {
        let now = clock()
        if cacheEntries.count >= cacheSweepThreshold {
            cacheEntries = cacheEntries.filter { now < $0.value.expiresAt }
            // The next sweep waits until the live entries have doubled, so sweeping stays amortized O(1) a write.
            cacheSweepThreshold = max(Self.minimumCacheSweepThreshold, 2 * cacheEntries.count)
        }
        let seconds = max(1, lifetime.components.seconds)
        cacheEntries[key] = CacheEntry(value: value, expiresAt: now.addingTimeInterval(TimeInterval(seconds)))
    }

    public func evictCached(_ key: String) async {
        cacheEntries[key] = nil
    }

    /// Entries the cache holds, expired ones not swept yet included: what it costs in memory.
    public var cachedEntryCount: Int { cacheEntries.count }
}

struct CacheEntry: Sendable {
    var value: String
    var expiresAt: Date
}

/// The second cache level, shared by every process of a deployment (Redis in a cluster). Values are small strings
/// that can be recomputed, so a miss or an unreachable cache only costs the recomputation: the methods never throw.
public protocol SharedCache: Sendable {
    func cachedValue(for key: String) async -> String?
    func cache(_ value: String, for key: String, lifetime: Duration) async
    func evictCached(_ key: String) async
}

import Foundation

/// When a waiting job may evict running ones, and how evicted jobs are shielded from being evicted again and again.
public struct PreemptionSettings: Sendable, Equatable, Hashable, Codable {
    public var enabled: Bool
    /// After this many evictions a job is protected…
    public var protectAfterEvictions: Int
    /// …for this long after its latest eviction.
    public var protectionSeconds: TimeInterval

    public init(enabled: Bool = true, protectAfterEvictions: Int = 2, protectionSeconds: TimeInterval = 600) {
        self.enabled = enabled
        self.protectAfterEvictions = protectAfterEvictions
        self.protectionSeconds = protectionSeconds
    }

    public static let `default` = PreemptionSettings()

    /// The end of a job's protection, or nil while it has been evicted fewer than `protectAfterEvictions` times.
    /// A count without a time cannot place the window, so it protects for good rather than risk thrashing.
    public func protectedUntil(evictions: Int, lastEvictedAt: Date?) -> Date? {
        guard evictions >= protectAfterEvictions else { return nil }
        guard let lastEvictedAt else { return .distantFuture }
        return lastEvictedAt.addingTimeInterval(protectionSeconds)
    }

    public func isProtected(evictions: Int, lastEvictedAt: Date?, at now: Date) -> Bool {
        guard let until = protectedUntil(evictions: evictions, lastEvictedAt: lastEvictedAt) else { return false }
        return now < until
    }

    enum CodingKeys: String, CodingKey {
        case enabled
        case protectAfterEvictions = "protect_after_evictions"
        case protectionSeconds = "protection_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = PreemptionSettings.default
        self.init(
            enabled: try container.decodeIfPresent(Bool.self, forKey: .enabled) ?? defaults.enabled,
            protectAfterEvictions: try container.decodeIfPresent(Int.self, forKey: .protectAfterEvictions)
                ?? defaults.protectAfterEvictions,
            protectionSeconds: try container.decodeIfPresent(TimeInterval.self, forKey: .protectionSeconds)
                ?? defaults.protectionSeconds)
    }
}

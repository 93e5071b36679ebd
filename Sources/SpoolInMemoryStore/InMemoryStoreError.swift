import SpoolCore

/// Refusals of the in-memory store that `StoreError` has no case for yet.
public enum InMemoryStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The tenant already has as many queued jobs as `submit(_:maxQueued:now:)` allows.
    case quotaExceeded(QuotaViolation)

    public var description: String {
        switch self {
        case .quotaExceeded(let violation): "quota exceeded: \(violation)"
        }
    }
}

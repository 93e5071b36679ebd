import Foundation
import SpoolCore

/// How one service class is dispatched: its place in line, the capacity held for it and what it gives up under
/// overload.
public struct ServiceClassPolicy: Sendable, Equatable, Hashable, Codable {
    /// Lower ranks are tried first. Preemption compares ranks, so two classes with the same rank never evict each
    /// other.
    public var rank: Int
    /// Fraction of capacity (0…1) held back from other classes while this class has work waiting below it.
    public var reservedShare: Double
    /// How long a job of this class may wait before its degradation applies.
    public var targetWait: TimeInterval
    public var degradation: DegradationPolicy

    public init(rank: Int, reservedShare: Double, targetWait: TimeInterval, degradation: DegradationPolicy) {
        self.rank = rank
        self.reservedShare = reservedShare
        self.targetWait = targetWait
        self.degradation = degradation
    }

    /// Realtime: first in line, a fifth of capacity held, and after 5 s it would rather run slowly on CPUs than wait.
    public static let realtime = ServiceClassPolicy(
        rank: 0, reservedShare: 0.2, targetWait: 5, degradation: .moveToPool("cpu"))
    /// Standard: a tenth held; after a minute the same outputs encoded faster now beat them encoded slower later.
    public static let standard = ServiceClassPolicy(
        rank: 1, reservedShare: 0.1, targetWait: 60, degradation: .fasterEncoding)
    /// Batch: nothing held, and it waits however long it takes.
    public static let batch = ServiceClassPolicy(
        rank: 2, reservedShare: 0, targetWait: 3600, degradation: .wait)

    public static func defaultPolicy(for serviceClass: ServiceClass) -> ServiceClassPolicy {
        switch serviceClass {
        case .realtime: realtime
        case .standard: standard
        case .batch: batch
        }
    }

    enum CodingKeys: String, CodingKey {
        case rank, degradation
        case reservedShare = "reserved_share"
        case targetWait = "target_wait_seconds"
    }
}

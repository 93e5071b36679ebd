/// How a ``GPUMemoryLedger`` places, rounds and bounds reservations.
///
/// Out-of-range values are not errors: the ledger uses ``normalized`` (an overcommit ratio below 1.0 or not finite
/// becomes 1.0, size classes that are not positive are dropped and the rest sorted, a buddy minimum block below
/// 1 MiB becomes 1 MiB) so that a bad setting can never make the ledger promise memory it does not track.
public struct LedgerConfiguration: Codable, Sendable, Equatable {
    public var strategy: AllocationStrategy

    /// How far the ledger may promise beyond the physical memory: its virtual capacity is
    /// `capacityMiB × overcommitRatio` (rounded down). 1.0 means no overcommit.
    public var overcommitRatio: Double

    /// Pooled sizes. A request up to the largest class is rounded up to the smallest class that holds it, so blocks
    /// freed by one job fit the next job of the same class exactly and the free list does not fill with slivers.
    /// Requests above the largest class are granted as asked. Empty turns pooling off.
    public var sizeClassesMiB: [Int]

    /// The smallest block the buddy strategy hands out; every buddy block is this size times a power of two.
    /// Ignored by the other strategies.
    public var buddyMinimumBlockMiB: Int

    public init(
        strategy: AllocationStrategy,
        overcommitRatio: Double = 1.0,
        sizeClassesMiB: [Int] = [256, 512, 1024, 2048, 4096],
        buddyMinimumBlockMiB: Int = 64
    ) {
        self.strategy = strategy
        self.overcommitRatio = overcommitRatio
        self.sizeClassesMiB = sizeClassesMiB
        self.buddyMinimumBlockMiB = buddyMinimumBlockMiB
    }

    /// Best fit, no overcommit, classes of 256, 512, 1024, 2048 and 4096 MiB, 64 MiB buddy minimum.
    public static let `default` = LedgerConfiguration(strategy: .bestFit)

    /// This configuration with every value brought into its valid range; what a ledger actually uses.
    public var normalized: LedgerConfiguration {
        var copy = self
        copy.overcommitRatio = overcommitRatio.isFinite ? max(1.0, overcommitRatio) : 1.0
        copy.sizeClassesMiB = Array(Set(sizeClassesMiB.filter { $0 > 0 })).sorted()
        copy.buddyMinimumBlockMiB = max(1, buddyMinimumBlockMiB)
        return copy
    }
}

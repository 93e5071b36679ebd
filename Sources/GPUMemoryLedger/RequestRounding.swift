extension LedgerConfiguration {
    /// The size class a request is pooled into, or nil when it is larger than every class (or there are none).
    /// Expects normalized, sorted classes.
    func sizeClass(holding requestMiB: Int) -> Int? {
        // A handful of classes: a linear scan beats a binary search here.
        for sizeClass in sizeClassesMiB where sizeClass >= requestMiB {
            return sizeClass
        }
        return nil
    }

    /// What a request is granted: first the size class, then, for buddy, the buddy block that holds it.
    /// 0 for a request that is not positive; `Int.max` when the rounding itself would overflow.
    public func grantedSize(forRequest requestMiB: Int) -> Int {
        guard requestMiB > 0 else { return 0 }
        let pooledMiB = sizeClass(holding: requestMiB) ?? requestMiB
        guard strategy == .buddy else { return pooledMiB }
        return Self.buddyBlockSize(holding: pooledMiB, minimumBlockMiB: buddyMinimumBlockMiB)
    }

    /// The smallest `minimumBlockMiB × 2ⁿ` that is at least `sizeMiB`, or `Int.max` when that overflows.
    static func buddyBlockSize(holding sizeMiB: Int, minimumBlockMiB: Int) -> Int {
        let minimumBlocks = (sizeMiB - 1) / minimumBlockMiB + 1
        guard minimumBlocks > 1 else { return minimumBlockMiB }
        let exponent = Int.bitWidth - (minimumBlocks - 1).leadingZeroBitCount
        guard exponent < Int.bitWidth - 1 else { return Int.max }
        let (blockMiB, overflow) = minimumBlockMiB.multipliedReportingOverflow(by: 1 << exponent)
        return overflow ? Int.max : blockMiB
    }
}

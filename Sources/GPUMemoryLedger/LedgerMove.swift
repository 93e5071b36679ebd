/// A pending reservation that ``GPUMemoryLedger/defragment()`` moved to another virtual offset.
public struct LedgerMove: Codable, Sendable, Equatable, Hashable {
    public var owner: LedgerOwner
    public var fromOffsetMiB: Int
    public var toOffsetMiB: Int
    public var sizeMiB: Int

    public init(owner: LedgerOwner, fromOffsetMiB: Int, toOffsetMiB: Int, sizeMiB: Int) {
        self.owner = owner
        self.fromOffsetMiB = fromOffsetMiB
        self.toOffsetMiB = toOffsetMiB
        self.sizeMiB = sizeMiB
    }
}

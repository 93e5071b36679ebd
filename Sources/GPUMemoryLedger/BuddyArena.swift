/// The geometry and block operations of a binary buddy allocator over a ledger's virtual capacity.
///
/// Free blocks live in an array sorted by offset. Every block is `minimumBlockMiB × 2ⁿ` and starts at a multiple of
/// its own size, so a block's buddy is found by flipping one bit of its offset. A capacity that is not a power of two
/// is tiled by one top-level block per set bit of its size in minimum blocks (largest first); what is left after the
/// last whole minimum block is a tail no block can use.
struct BuddyArena: Sendable, Equatable {
    let minimumBlockMiB: Int
    /// The part of the virtual capacity made of whole minimum blocks.
    let usableMiB: Int
    /// The largest block this arena can ever hand out.
    let largestBlockMiB: Int

    init(virtualCapacityMiB: Int, minimumBlockMiB: Int) {
        self.minimumBlockMiB = minimumBlockMiB
        let minimumBlocks = virtualCapacityMiB / minimumBlockMiB
        usableMiB = minimumBlocks * minimumBlockMiB
        if minimumBlocks == 0 {
            largestBlockMiB = 0
        } else {
            let highestBit = Int.bitWidth - 1 - minimumBlocks.leadingZeroBitCount
            largestBlockMiB = minimumBlockMiB << highestBit
        }
    }

    /// The free blocks of an arena with nothing reserved.
    var topLevelBlocks: [FreeRange] {
        var blocks: [FreeRange] = []
        var remainingBlocks = usableMiB / minimumBlockMiB
        var offsetMiB = 0
        while remainingBlocks > 0 {
            let highestBit = Int.bitWidth - 1 - remainingBlocks.leadingZeroBitCount
            let sizeMiB = minimumBlockMiB << highestBit
            blocks.append(FreeRange(offsetMiB: offsetMiB, sizeMiB: sizeMiB))
            offsetMiB += sizeMiB
            remainingBlocks -= 1 << highestBit
        }
        return blocks
    }

    /// Whether `block` is one this arena could hand out: a power-of-two multiple of the minimum, aligned, inside.
    func isValidBlock(offsetMiB: Int, sizeMiB: Int) -> Bool {
        guard sizeMiB > 0, offsetMiB >= 0, sizeMiB % minimumBlockMiB == 0, offsetMiB % sizeMiB == 0 else {
            return false
        }
        let minimumBlocks = sizeMiB / minimumBlockMiB
        return minimumBlocks & (minimumBlocks - 1) == 0 && offsetMiB <= usableMiB - sizeMiB
    }

    /// The offset of `block`'s buddy, or nil when the pair would not fit in the arena (a top-level block).
    func buddyOffset(of block: FreeRange) -> Int? {
        let blockUnits = block.sizeMiB / minimumBlockMiB
        let offsetUnits = block.offsetMiB / minimumBlockMiB
        let parentOffsetUnits = offsetUnits & ~blockUnits
        guard (parentOffsetUnits + 2 * blockUnits) * minimumBlockMiB <= usableMiB else { return nil }
        return (offsetUnits ^ blockUnits) * minimumBlockMiB
    }

    /// Takes a block of exactly `sizeMiB` (already a valid block size) from the smallest free block that holds it,
    /// splitting as needed. Ties go to the lowest offset, or the highest with `prefersHighOffsets`, which also keeps
    /// the upper half of each split. Returns the offset and the size of the free block it came from.
    func allocate(
        _ sizeMiB: Int, in blocks: inout [FreeRange], prefersHighOffsets: Bool = false
    ) -> (offsetMiB: Int, sourceBlockMiB: Int)? {
        var chosen: Int?
        for index in blocks.indices where blocks[index].sizeMiB >= sizeMiB {
            guard let current = chosen else {
                chosen = index
                continue
            }
            let candidateSize = blocks[index].sizeMiB
            let currentSize = blocks[current].sizeMiB
            if candidateSize < currentSize || (prefersHighOffsets && candidateSize == currentSize) {
                chosen = index
            }
        }
        guard let chosen else { return nil }
        var block = blocks.remove(at: chosen)
        let sourceBlockMiB = block.sizeMiB
        while block.sizeMiB > sizeMiB {
            let halfMiB = block.sizeMiB / 2
            let lower = FreeRange(offsetMiB: block.offsetMiB, sizeMiB: halfMiB)
            let upper = FreeRange(offsetMiB: block.offsetMiB + halfMiB, sizeMiB: halfMiB)
            blocks.insertKeepingOffsetOrder(prefersHighOffsets ? lower : upper)
            block = prefersHighOffsets ? upper : lower
        }
        return (block.offsetMiB, sourceBlockMiB)
    }

    /// Frees a block, merging it with its buddy as long as the buddy is free whole; returns the merged block.
    @discardableResult
    func release(_ released: FreeRange, to blocks: inout [FreeRange]) -> FreeRange {
        var block = released
        while let buddyOffsetMiB = buddyOffset(of: block) {
            let index = blocks.firstIndex(atOrAfterOffset: buddyOffsetMiB)
            guard index < blocks.count, blocks[index].offsetMiB == buddyOffsetMiB,
                blocks[index].sizeMiB == block.sizeMiB
            else { break }
            blocks.remove(at: index)
            block = FreeRange(offsetMiB: min(block.offsetMiB, buddyOffsetMiB), sizeMiB: block.sizeMiB * 2)
        }
        blocks.insertKeepingOffsetOrder(block)
        return block
    }

    /// Marks a valid block at a fixed offset as used, splitting the free block around it. False when that memory
    /// is not free whole.
    func carve(_ wanted: FreeRange, from blocks: inout [FreeRange]) -> Bool {
        let index = blocks.firstIndex(atOrAfterOffset: wanted.offsetMiB + 1) - 1
        guard index >= 0, blocks[index].endMiB >= wanted.endMiB, blocks[index].sizeMiB >= wanted.sizeMiB else {
            return false
        }
        var block = blocks.remove(at: index)
        while block.sizeMiB > wanted.sizeMiB {
            let halfMiB = block.sizeMiB / 2
            let lower = FreeRange(offsetMiB: block.offsetMiB, sizeMiB: halfMiB)
            let upper = FreeRange(offsetMiB: block.offsetMiB + halfMiB, sizeMiB: halfMiB)
            let wantedIsInUpperHalf = wanted.offsetMiB >= upper.offsetMiB
            blocks.insertKeepingOffsetOrder(wantedIsInUpperHalf ? lower : upper)
            block = wantedIsInUpperHalf ? upper : lower
        }
        return block == wanted
    }

    /// The free blocks left once `reservations` (valid, non-overlapping blocks) are taken, or nil when they
    /// cannot all be carved.
    func freeBlocks(around reservations: [MemoryReservation]) -> [FreeRange]? {
        var blocks = topLevelBlocks
        for reservation in reservations {
            let block = FreeRange(offsetMiB: reservation.offsetMiB, sizeMiB: reservation.sizeMiB)
            guard carve(block, from: &blocks) else { return nil }
        }
        return blocks
    }
}

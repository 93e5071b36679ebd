/// Bookkeeping of one GPU's memory: who holds how much, at which virtual offset, and what is still free.
///
/// The driver allocates the real memory; the ledger only decides whether a job's estimated memory fits before the
/// job starts, so offsets are virtual and sizes are MiB. It is a plain value (sorted arrays, no classes, no locks):
/// a scheduler copies a fleet of ledgers and tries reservations on the copy, and `canReserve` is a few comparisons.
///
/// - Sizes: a request is rounded up to its size class (see ``LedgerConfiguration/sizeClassesMiB``) and then, with
///   the buddy strategy, to the buddy block that holds the class. ``grantedSize(forRequest:)`` tells the result.
/// - Overcommit: the ledger tracks ``virtualCapacityMiB`` (`capacityMiB × overcommitRatio`, rounded down) and all
///   offsets lie in `0..<virtualCapacityMiB`; ``overcommittedMiB`` says how far reservations exceed the hardware.
/// - Free space: ``largestFreeBlockMiB`` is the largest granted size that fits right now. For buddy it is the largest
///   free buddy block, which can be smaller than the largest contiguous free range in ``freeRanges``.
public struct GPUMemoryLedger: Sendable, Equatable {
    /// Physical memory of the GPU.
    public let capacityMiB: Int
    /// The configuration in use, normalized (see ``LedgerConfiguration/normalized``).
    public let configuration: LedgerConfiguration
    /// What the ledger may hand out in total: `capacityMiB × overcommitRatio`, rounded down.
    public let virtualCapacityMiB: Int
    /// Every reservation, sorted by offset.
    public internal(set) var reservations: [MemoryReservation] = []
    public internal(set) var statistics = LedgerStatistics()
    /// Granted MiB of all reservations together.
    public internal(set) var reservedMiB = 0
    /// The largest granted size a reserve could get right now.
    public internal(set) var largestFreeBlockMiB: Int

    /// Sorted by offset. Fit strategies: maximal free ranges, never touching. Buddy: free buddy blocks, which may
    /// touch when they are not buddies; the tail after the last whole minimum block is not in here.
    var freeBlocks: [FreeRange]
    /// Present exactly when the strategy is buddy.
    let buddyArena: BuddyArena?

    public init(capacityMiB: Int, configuration: LedgerConfiguration = .default) {
        let configuration = configuration.normalized
        self.capacityMiB = max(0, capacityMiB)
        self.configuration = configuration
        // Clamped so that an absurd ratio cannot overflow Int; no GPU is anywhere near 2⁵² MiB. Converting the
        // non-negative product to Int truncates, which rounds down without calling libm's floor (this target links
        // nothing but the standard library).
        virtualCapacityMiB = Int(min(Double(self.capacityMiB) * configuration.overcommitRatio, 0x1p52))
        if configuration.strategy == .buddy {
            let arena = BuddyArena(
                virtualCapacityMiB: virtualCapacityMiB, minimumBlockMiB: configuration.buddyMinimumBlockMiB)
            buddyArena = arena
            freeBlocks = arena.topLevelBlocks
            largestFreeBlockMiB = arena.largestBlockMiB
        } else {
            buddyArena = nil
            freeBlocks = virtualCapacityMiB > 0 ? [FreeRange(offsetMiB: 0, sizeMiB: virtualCapacityMiB)] : []
            largestFreeBlockMiB = virtualCapacityMiB
        }
    }

    public var strategy: AllocationStrategy { configuration.strategy }

    /// Unreserved virtual MiB, including any that are too fragmented to use.
    public var freeMiB: Int { virtualCapacityMiB - reservedMiB }

    /// How far reservations exceed the physical memory; 0 unless overcommitting.
    public var overcommittedMiB: Int { max(0, reservedMiB - capacityMiB) }

    /// `1 - largestFreeBlock / free`: 0 when free memory is one usable block (or nothing is free), near 1 when it
    /// is scattered in small pieces.
    public var fragmentation: Double {
        freeMiB == 0 ? 0 : 1 - Double(largestFreeBlockMiB) / Double(freeMiB)
    }

    /// The largest block this ledger could ever hand out, empty: the virtual capacity, or for buddy the largest
    /// buddy block that fits in it.
    public var maximumBlockMiB: Int { buddyArena?.largestBlockMiB ?? virtualCapacityMiB }

    /// Unreserved memory as maximal contiguous ranges sorted by offset; with nothing reserved, one range covering
    /// the whole virtual capacity. Computed for buddy, so not for hot paths.
    public var freeRanges: [FreeRange] {
        guard let buddyArena else { return freeBlocks }
        var ranges: [FreeRange] = []
        for block in freeBlocks {
            FitPlacement.giveBack(block, to: &ranges)
        }
        if virtualCapacityMiB > buddyArena.usableMiB {
            let tail = FreeRange(offsetMiB: buddyArena.usableMiB, sizeMiB: virtualCapacityMiB - buddyArena.usableMiB)
            FitPlacement.giveBack(tail, to: &ranges)
        }
        return ranges
    }

    /// What a request would be granted: rounded up to its size class, then for buddy to a buddy block. 0 for a
    /// request that is not positive.
    public func grantedSize(forRequest requestedMiB: Int) -> Int {
        configuration.grantedSize(forRequest: requestedMiB)
    }

    /// Whether a reserve of this size would succeed now for an owner that holds nothing here yet.
    public func canReserve(_ sizeMiB: Int) -> Bool {
        // The bound check first keeps absurd requests away from the rounding arithmetic.
        guard sizeMiB > 0, sizeMiB <= maximumBlockMiB else { return false }
        return grantedSize(forRequest: sizeMiB) <= largestFreeBlockMiB
    }

    /// Why a reserve would be refused now, or nil when it would succeed. `owner` nil skips the duplicate check.
    public func refusal(forReserving sizeMiB: Int, by owner: LedgerOwner? = nil) -> LedgerRefusal? {
        switch grantOrRefuse(sizeMiB, by: owner) {
        case .success: return nil
        case .failure(let refusal): return refusal
        }
    }

    /// The reservation `owner` holds here, if any.
    public func reservation(for owner: LedgerOwner) -> MemoryReservation? {
        reservations.first { $0.owner == owner }
    }

    /// Reserves memory for `owner`, or says why not. Pending reservations may later be moved by ``defragment()``;
    /// active ones never move.
    public mutating func reserve(
        _ sizeMiB: Int, for owner: LedgerOwner, state: ReservationState = .pending
    ) -> Result<MemoryReservation, LedgerRefusal> {
        let grantedMiB: Int
        switch grantOrRefuse(sizeMiB, by: owner) {
        case .success(let granted):
            grantedMiB = granted
        case .failure(let refusal):
            statistics.refusals += 1
            if refusal.isFragmentation { statistics.fragmentedRefusals += 1 }
            return .failure(refusal)
        }

        // grantOrRefuse checked that some free block holds the granted size, so placement cannot fail.
        let offsetMiB: Int
        let sourceBlockMiB: Int
        if let buddyArena {
            (offsetMiB, sourceBlockMiB) = buddyArena.allocate(grantedMiB, in: &freeBlocks)!
        } else {
            let isPooled = configuration.sizeClass(holding: sizeMiB) != nil
            let index = FitPlacement.indexOfRange(
                toHold: grantedMiB, in: freeBlocks, strategy: configuration.strategy, prefersExactSize: isPooled)!
            sourceBlockMiB = freeBlocks[index].sizeMiB
            offsetMiB = FitPlacement.take(grantedMiB, fromRangeAt: index, in: &freeBlocks)
        }

        let reservation = MemoryReservation(
            owner: owner, offsetMiB: offsetMiB, sizeMiB: grantedMiB, requestedMiB: sizeMiB, state: state)
        reservations.insertKeepingOffsetOrder(reservation)
        reservedMiB += grantedMiB
        statistics.reservations += 1
        if sourceBlockMiB == grantedMiB { statistics.poolHits += 1 }
        // Only the block that was taken shrank, so the largest block can change only if it was that one.
        if sourceBlockMiB == largestFreeBlockMiB {
            recomputeLargestFreeBlock()
        }
        return .success(reservation)
    }

    /// Marks `owner`'s reservation active (its job started and holds real memory), so it never moves again.
    /// False when `owner` holds nothing here.
    @discardableResult
    public mutating func activate(_ owner: LedgerOwner) -> Bool {
        guard let index = reservations.firstIndex(where: { $0.owner == owner }) else { return false }
        reservations[index].state = .active
        return true
    }

    /// Frees `owner`'s reservation and returns it exactly as it stood, or nil when `owner` holds nothing here.
    @discardableResult
    public mutating func release(_ owner: LedgerOwner) -> MemoryReservation? {
        guard let index = reservations.firstIndex(where: { $0.owner == owner }) else { return nil }
        let released = reservations.remove(at: index)
        let range = FreeRange(offsetMiB: released.offsetMiB, sizeMiB: released.sizeMiB)
        let merged =
            if let buddyArena {
                buddyArena.release(range, to: &freeBlocks)
            } else {
                FitPlacement.giveBack(range, to: &freeBlocks)
            }
        reservedMiB -= released.sizeMiB
        largestFreeBlockMiB = max(largestFreeBlockMiB, merged.sizeMiB)
        statistics.releases += 1
        return released
    }

    /// The granted size, or why there is none; shared by ``refusal(forReserving:by:)`` and ``reserve(_:for:state:)``.
    private func grantOrRefuse(_ sizeMiB: Int, by owner: LedgerOwner?) -> Result<Int, LedgerRefusal> {
        guard sizeMiB > 0 else { return .failure(.invalidSize(requestedMiB: sizeMiB)) }
        if let owner, reservations.contains(where: { $0.owner == owner }) {
            return .failure(.duplicateOwner(owner))
        }
        let grantedMiB = grantedSize(forRequest: sizeMiB)
        guard grantedMiB <= maximumBlockMiB else {
            return .failure(
                .exceedsCapacity(requestedMiB: sizeMiB, grantedMiB: grantedMiB, maximumBlockMiB: maximumBlockMiB))
        }
        guard grantedMiB <= largestFreeBlockMiB else {
            return .failure(
                .insufficientMemory(
                    requestedMiB: sizeMiB, grantedMiB: grantedMiB, freeMiB: freeMiB,
                    largestFreeBlockMiB: largestFreeBlockMiB))
        }
        return .success(grantedMiB)
    }

    /// The free space left around non-overlapping reservations sorted by offset, in this ledger's free-block form;
    /// nil when they are not valid buddy blocks.
    func freeBlocks(around sortedReservations: [MemoryReservation]) -> [FreeRange]? {
        if let buddyArena {
            return buddyArena.freeBlocks(around: sortedReservations)
        }
        return FitPlacement.gaps(between: sortedReservations, virtualCapacityMiB: virtualCapacityMiB)
    }

    mutating func recomputeLargestFreeBlock() {
        var largestMiB = 0
        for block in freeBlocks where block.sizeMiB > largestMiB {
            largestMiB = block.sizeMiB
        }
        largestFreeBlockMiB = largestMiB
    }
}

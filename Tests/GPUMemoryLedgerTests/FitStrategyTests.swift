import GPUMemoryLedger
import Testing

@Suite("First, best and worst fit")
struct FitStrategyTests {
    /// Free ranges of 250 @0, 100 @300, 400 @450 and 180 @900, held apart by three 50 MiB reservations, so a
    /// 150 MiB request has a different answer under each strategy. Pooling is off so only the strategy decides.
    static func ledgerWithHandMadeFreeList(_ strategy: AllocationStrategy) throws -> GPUMemoryLedger {
        var ledger = GPUMemoryLedger(
            capacityMiB: 1080, configuration: LedgerConfiguration(strategy: strategy, sizeClassesMiB: []))
        for (owner, sizeMiB) in [("a", 250), ("x1", 50), ("b", 100), ("x2", 50), ("c", 400), ("x3", 50)] {
            _ = try ledger.reserve(sizeMiB, for: LedgerOwner(owner)).get()
        }
        for owner in ["a", "b", "c"] {
            let released = ledger.release(LedgerOwner(owner))
            try #require(released != nil)
        }
        return ledger
    }

    @Test func handMadeFreeListHasTheExpectedRanges() throws {
        let ledger = try Self.ledgerWithHandMadeFreeList(.firstFit)
        #expect(
            ledger.freeRanges == [
                FreeRange(offsetMiB: 0, sizeMiB: 250), FreeRange(offsetMiB: 300, sizeMiB: 100),
                FreeRange(offsetMiB: 450, sizeMiB: 400), FreeRange(offsetMiB: 900, sizeMiB: 180),
            ])
        #expect(ledger.largestFreeBlockMiB == 400)
        #expect(ledger.freeMiB == 930)
    }

    @Test func firstFitTakesTheLowestRangeThatHolds() throws {
        var ledger = try Self.ledgerWithHandMadeFreeList(.firstFit)
        let reservation = try ledger.reserve(150, for: "job").get()
        #expect(reservation.offsetMiB == 0)
        #expect(ledger.freeRanges.first == FreeRange(offsetMiB: 150, sizeMiB: 100))
    }

    @Test func bestFitTakesTheSmallestRangeThatHolds() throws {
        var ledger = try Self.ledgerWithHandMadeFreeList(.bestFit)
        let reservation = try ledger.reserve(150, for: "job").get()
        #expect(reservation.offsetMiB == 900)
        #expect(ledger.freeRanges.last == FreeRange(offsetMiB: 1050, sizeMiB: 30))
    }

    @Test func worstFitTakesTheLargestRange() throws {
        var ledger = try Self.ledgerWithHandMadeFreeList(.worstFit)
        let reservation = try ledger.reserve(150, for: "job").get()
        #expect(reservation.offsetMiB == 450)
        #expect(ledger.largestFreeBlockMiB == 250)
    }

    @Test func bestFitTakesARangeOfExactlyTheRequestWhole() throws {
        var ledger = try Self.ledgerWithHandMadeFreeList(.bestFit)
        let reservation = try ledger.reserve(100, for: "job").get()
        #expect(reservation.offsetMiB == 300)
        #expect(!ledger.freeRanges.contains { $0.offsetMiB == 300 })
        #expect(ledger.statistics.poolHits == 1)
    }

    @Test(arguments: [AllocationStrategy.firstFit, .bestFit, .worstFit])
    func releasedNeighboursCoalesceIntoOneRange(strategy: AllocationStrategy) throws {
        var ledger = GPUMemoryLedger(
            capacityMiB: 1000, configuration: LedgerConfiguration(strategy: strategy, sizeClassesMiB: []))
        for owner in ["a", "b", "c", "d"] {
            _ = try ledger.reserve(250, for: LedgerOwner(owner)).get()
        }
        ledger.release("b")
        ledger.release("d")
        #expect(ledger.freeRanges.count == 2)
        ledger.release("c")
        #expect(ledger.freeRanges == [FreeRange(offsetMiB: 250, sizeMiB: 750)])
        ledger.release("a")
        #expect(ledger.freeRanges == [FreeRange(offsetMiB: 0, sizeMiB: 1000)])
        #expect(ledger.largestFreeBlockMiB == 1000)
        #expect(ledger.fragmentation == 0)
    }

    @Test func releaseReturnsExactlyWhatWasReserved() throws {
        var ledger = GPUMemoryLedger(capacityMiB: 16384)
        let reserved = try ledger.reserve(700, for: "job-1").get()
        ledger.activate("job-1")
        var expected = reserved
        expected.state = .active
        let released = ledger.release("job-1")
        #expect(released == expected)
        let releasedAgain = ledger.release("job-1")
        #expect(releasedAgain == nil)
        #expect(ledger.reservations.isEmpty)
    }

    @Test func activateMarksOnlyKnownOwners() throws {
        var ledger = GPUMemoryLedger(capacityMiB: 16384)
        _ = try ledger.reserve(700, for: "job-1").get()
        #expect(ledger.reservation(for: "job-1")?.state == .pending)
        let activatedKnown = ledger.activate("job-1")
        #expect(activatedKnown)
        #expect(ledger.reservation(for: "job-1")?.state == .active)
        let activatedUnknown = ledger.activate("nobody")
        #expect(!activatedUnknown)
    }

    @Test func fragmentationComparesTheLargestBlockWithAllFreeMemory() throws {
        var ledger = GPUMemoryLedger(
            capacityMiB: 1000, configuration: LedgerConfiguration(strategy: .firstFit, sizeClassesMiB: []))
        #expect(ledger.fragmentation == 0)
        for owner in ["a", "b", "c", "d"] {
            _ = try ledger.reserve(250, for: LedgerOwner(owner)).get()
        }
        #expect(ledger.fragmentation == 0)
        ledger.release("a")
        ledger.release("c")
        #expect(ledger.fragmentation == 0.5)
    }
}

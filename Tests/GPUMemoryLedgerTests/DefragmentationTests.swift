import GPUMemoryLedger
import Testing

@Suite("Defragmentation")
struct DefragmentationTests {
    /// 1000 MiB: p1 200 @0, a 100 @200 (active), p2 200 @300, x 100 @500, q 200 @600, then 200 free; p1 and x are
    /// released, so free space is 200 @0, 100 @500 and 200 @800.
    static func fragmentedFitLedger(_ strategy: AllocationStrategy) throws -> GPUMemoryLedger {
        var ledger = GPUMemoryLedger(
            capacityMiB: 1000, configuration: LedgerConfiguration(strategy: strategy, sizeClassesMiB: []))
        _ = try ledger.reserve(200, for: "p1").get()
        _ = try ledger.reserve(100, for: "a", state: .active).get()
        _ = try ledger.reserve(200, for: "p2").get()
        _ = try ledger.reserve(100, for: "x").get()
        _ = try ledger.reserve(200, for: "q").get()
        ledger.release("p1")
        ledger.release("x")
        return ledger
    }

    @Test(arguments: [AllocationStrategy.firstFit, .bestFit, .worstFit])
    func pendingReservationsMoveAroundActiveOnes(strategy: AllocationStrategy) throws {
        var ledger = try Self.fragmentedFitLedger(strategy)
        #expect(ledger.largestFreeBlockMiB == 200)
        #expect(!ledger.canReserve(500))

        let moves = ledger.defragment()

        // p2 fills the stretch before the active reservation, leaving 500 MiB whole after it.
        #expect(ledger.reservation(for: "a")?.offsetMiB == 200)
        #expect(ledger.largestFreeBlockMiB == 500)
        #expect(ledger.freeRanges == [FreeRange(offsetMiB: 500, sizeMiB: 500)])
        #expect(
            Set(moves) == [
                LedgerMove(owner: "p2", fromOffsetMiB: 300, toOffsetMiB: 0, sizeMiB: 200),
                LedgerMove(owner: "q", fromOffsetMiB: 600, toOffsetMiB: 300, sizeMiB: 200),
            ])
        #expect(ledger.canReserve(500))
        #expect(ledger.statistics.defragmentations == 1)
        #expect(ledger.statistics.movedReservations == 2)
    }

    @Test func movesMatchTheReservationsAfterwards() throws {
        var ledger = try Self.fragmentedFitLedger(.bestFit)
        let before = ledger.reservations
        let moves = ledger.defragment()
        for move in moves {
            #expect(before.first { $0.owner == move.owner }?.offsetMiB == move.fromOffsetMiB)
            #expect(ledger.reservation(for: move.owner)?.offsetMiB == move.toOffsetMiB)
        }
    }

    @Test func activeReservationsNeverMove() throws {
        var ledger = GPUMemoryLedger(
            capacityMiB: 1000, configuration: LedgerConfiguration(strategy: .firstFit, sizeClassesMiB: []))
        for owner in ["a", "b", "c", "d"] {
            _ = try ledger.reserve(250, for: LedgerOwner(owner), state: .active).get()
        }
        ledger.release("a")
        ledger.release("c")
        let before = ledger
        let moves = ledger.defragment()
        #expect(moves.isEmpty)
        #expect(ledger == before)
    }

    @Test func nothingMovesWhenNoLayoutIsBetter() throws {
        var ledger = GPUMemoryLedger(
            capacityMiB: 1000, configuration: LedgerConfiguration(strategy: .bestFit, sizeClassesMiB: []))
        _ = try ledger.reserve(300, for: "a").get()
        _ = try ledger.reserve(300, for: "b").get()
        let before = ledger
        let moves = ledger.defragment()
        #expect(moves.isEmpty)
        #expect(ledger == before)
    }

    @Test func buddyBlocksRepackIntoAlignedPlaces() throws {
        var ledger = GPUMemoryLedger(
            capacityMiB: 1024, configuration: LedgerConfiguration(strategy: .buddy, sizeClassesMiB: []))
        _ = try ledger.reserve(256, for: "a").get()
        _ = try ledger.reserve(256, for: "b", state: .active).get()
        _ = try ledger.reserve(256, for: "c").get()
        _ = try ledger.reserve(256, for: "d").get()
        ledger.release("a")
        ledger.release("d")
        #expect(ledger.largestFreeBlockMiB == 256)

        let moves = ledger.defragment()

        #expect(moves == [LedgerMove(owner: "c", fromOffsetMiB: 512, toOffsetMiB: 0, sizeMiB: 256)])
        #expect(ledger.reservation(for: "b")?.offsetMiB == 256)
        #expect(ledger.largestFreeBlockMiB == 512)
        #expect(ledger.canReserve(512))
    }

    @Test func defragmentedLedgerStillReleasesToOneRange() throws {
        var ledger = try Self.fragmentedFitLedger(.firstFit)
        _ = ledger.defragment()
        for owner in ["a", "p2", "q"] {
            let released = ledger.release(LedgerOwner(owner))
            #expect(released != nil)
        }
        #expect(ledger.freeRanges == [FreeRange(offsetMiB: 0, sizeMiB: 1000)])
    }
}

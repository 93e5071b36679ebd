import GPUMemoryLedger
import Testing

@Suite("Buddy allocation")
struct BuddyAllocationTests {
    static func buddyLedger(capacityMiB: Int = 1024, minimumBlockMiB: Int = 64) -> GPUMemoryLedger {
        GPUMemoryLedger(
            capacityMiB: capacityMiB,
            configuration: LedgerConfiguration(
                strategy: .buddy, sizeClassesMiB: [], buddyMinimumBlockMiB: minimumBlockMiB))
    }

    @Test func requestsRoundUpToPowerOfTwoMultiplesOfTheMinimumBlock() {
        let ledger = Self.buddyLedger()
        #expect(ledger.grantedSize(forRequest: 1) == 64)
        #expect(ledger.grantedSize(forRequest: 64) == 64)
        #expect(ledger.grantedSize(forRequest: 65) == 128)
        #expect(ledger.grantedSize(forRequest: 100) == 128)
        #expect(ledger.grantedSize(forRequest: 200) == 256)
        #expect(ledger.grantedSize(forRequest: 1000) == 1024)
        #expect(ledger.grantedSize(forRequest: Int.max) == Int.max)
    }

    @Test func splitsTheSmallestFreeBlockAndKeepsBlocksAligned() throws {
        var ledger = Self.buddyLedger()
        let first = try ledger.reserve(100, for: "a").get()
        #expect(first.offsetMiB == 0 && first.sizeMiB == 128)
        // 1024 split into 512 + 256 + 128 + 128: the largest block left is the upper 512.
        #expect(ledger.largestFreeBlockMiB == 512)

        let second = try ledger.reserve(64, for: "b").get()
        #expect(second.offsetMiB == 128 && second.sizeMiB == 64)

        let third = try ledger.reserve(200, for: "c").get()
        #expect(third.offsetMiB == 256 && third.sizeMiB == 256)
        #expect(ledger.statistics.poolHits == 1)

        for reservation in ledger.reservations {
            #expect(reservation.offsetMiB % reservation.sizeMiB == 0)
        }
    }

    @Test func releasedBlocksMergeWithTheirBuddies() throws {
        var ledger = Self.buddyLedger()
        _ = try ledger.reserve(100, for: "a").get()  // 128 @0
        _ = try ledger.reserve(64, for: "b").get()  // 64 @128
        _ = try ledger.reserve(200, for: "c").get()  // 256 @256

        ledger.release("a")
        // 128 @0 cannot merge: its buddy at 128 is half used.
        #expect(ledger.largestFreeBlockMiB == 512)
        #expect(
            ledger.freeRanges == [
                FreeRange(offsetMiB: 0, sizeMiB: 128), FreeRange(offsetMiB: 192, sizeMiB: 64),
                FreeRange(offsetMiB: 512, sizeMiB: 512),
            ])

        ledger.release("b")
        // 64 @128 + 64 @192 make 128 @128, which with 128 @0 makes 256 @0; its buddy (c) is still held.
        #expect(ledger.largestFreeBlockMiB == 512)
        #expect(!ledger.canReserve(513))
        _ = try ledger.reserve(256, for: "fits-in-merged").get()
        #expect(ledger.reservation(for: "fits-in-merged")?.offsetMiB == 0)
        ledger.release("fits-in-merged")

        ledger.release("c")
        #expect(ledger.largestFreeBlockMiB == 1024)
        #expect(ledger.freeRanges == [FreeRange(offsetMiB: 0, sizeMiB: 1024)])
        #expect(ledger.canReserve(1024))
    }

    @Test func touchingBlocksThatAreNotBuddiesDoNotMerge() throws {
        var ledger = Self.buddyLedger(capacityMiB: 512)
        _ = try ledger.reserve(128, for: "a").get()  // 128 @0
        _ = try ledger.reserve(128, for: "b").get()  // 128 @128
        _ = try ledger.reserve(128, for: "c").get()  // 128 @256
        _ = try ledger.reserve(128, for: "d").get()  // 128 @384
        ledger.release("b")
        ledger.release("c")
        // 128 @128 and 128 @256 touch but belong to different parents, so no 256 block exists.
        #expect(ledger.freeRanges == [FreeRange(offsetMiB: 128, sizeMiB: 256)])
        #expect(ledger.largestFreeBlockMiB == 128)
        #expect(!ledger.canReserve(256))
        guard case .failure(let refusal) = ledger.reserve(256, for: "e") else {
            Issue.record("a 256 MiB buddy block must not exist")
            return
        }
        #expect(refusal.isFragmentation)
    }

    @Test func aCapacityThatIsNotAPowerOfTwoIsTiledByTopLevelBlocks() throws {
        // 1000 MiB holds 15 blocks of 64 (512 + 256 + 128 + 64) and a 40 MiB tail no block can use.
        var ledger = Self.buddyLedger(capacityMiB: 1000)
        #expect(ledger.maximumBlockMiB == 512)
        #expect(ledger.largestFreeBlockMiB == 512)
        #expect(ledger.freeMiB == 1000)
        #expect(ledger.freeRanges == [FreeRange(offsetMiB: 0, sizeMiB: 1000)])
        let tooBig = ledger.reserve(600, for: "too-big")
        #expect(tooBig == .failure(.exceedsCapacity(requestedMiB: 600, grantedMiB: 1024, maximumBlockMiB: 512)))

        let offsets = try ["a", "b", "c", "d"].map { try ledger.reserve(64, for: LedgerOwner($0)).get().offsetMiB }
        // The smallest block that holds 64 is the 64 @896 top-level block, then 128 @768 is split.
        #expect(offsets == [896, 768, 832, 512])
        for owner in ["a", "b", "c", "d"] {
            ledger.release(LedgerOwner(owner))
        }
        #expect(ledger.freeRanges == [FreeRange(offsetMiB: 0, sizeMiB: 1000)])
        #expect(ledger.largestFreeBlockMiB == 512)
    }

    @Test func aMinimumBlockThatIsNotAPowerOfTwoScalesEveryBlock() throws {
        var ledger = Self.buddyLedger(capacityMiB: 1600, minimumBlockMiB: 100)
        #expect(ledger.maximumBlockMiB == 1600)
        let small = try ledger.reserve(150, for: "a").get()
        #expect(small.sizeMiB == 200 && small.offsetMiB == 0)
        let large = try ledger.reserve(700, for: "b").get()
        #expect(large.sizeMiB == 800 && large.offsetMiB == 800)
        let tiny = try ledger.reserve(1, for: "c").get()
        #expect(tiny.sizeMiB == 100 && tiny.offsetMiB == 200)
    }

    @Test func sizeClassesApplyBeforeBuddyRounding() {
        let ledger = GPUMemoryLedger(
            capacityMiB: 16384,
            configuration: LedgerConfiguration(
                strategy: .buddy, sizeClassesMiB: [300, 1500], buddyMinimumBlockMiB: 64))
        #expect(ledger.grantedSize(forRequest: 250) == 512)  // class 300, then buddy 512
        #expect(ledger.grantedSize(forRequest: 1200) == 2048)  // class 1500, then buddy 2048
        #expect(ledger.grantedSize(forRequest: 1600) == 2048)  // above every class: buddy only
    }
}

import GPUMemoryLedger
import Testing

@Suite("Refusals")
struct LedgerRefusalTests {
    static func unpooled(_ capacityMiB: Int) -> GPUMemoryLedger {
        GPUMemoryLedger(
            capacityMiB: capacityMiB, configuration: LedgerConfiguration(strategy: .firstFit, sizeClassesMiB: []))
    }

    @Test(arguments: [0, -1, Int.min])
    func sizesThatAreNotPositiveAreInvalid(sizeMiB: Int) {
        var ledger = Self.unpooled(1000)
        let outcome = ledger.reserve(sizeMiB, for: "a")
        #expect(outcome == .failure(.invalidSize(requestedMiB: sizeMiB)))
        #expect(!ledger.canReserve(sizeMiB))
        #expect(ledger.statistics.refusals == 1)
    }

    @Test func anOwnerHoldsAtMostOneReservation() throws {
        var ledger = Self.unpooled(1000)
        _ = try ledger.reserve(100, for: "job-7").get()
        let refusal = LedgerRefusal.duplicateOwner("job-7")
        let outcome = ledger.reserve(100, for: "job-7")
        #expect(outcome == .failure(refusal))
        #expect(ledger.refusal(forReserving: 100, by: "job-7") == refusal)
        #expect(ledger.refusal(forReserving: 100) == nil)
        #expect(refusal.description.contains("job-7 already holds a reservation"))
        #expect(ledger.reservations.count == 1)
    }

    @Test func aRequestLargerThanTheLedgerCanNeverFit() {
        var ledger = Self.unpooled(1000)
        let refusal = LedgerRefusal.exceedsCapacity(requestedMiB: 1001, grantedMiB: 1001, maximumBlockMiB: 1000)
        let slightlyTooLarge = ledger.reserve(1001, for: "a")
        #expect(slightlyTooLarge == .failure(refusal))
        let absurd = ledger.reserve(Int.max, for: "a")
        #expect(absurd == .failure(.exceedsCapacity(requestedMiB: Int.max, grantedMiB: Int.max, maximumBlockMiB: 1000)))
        #expect(!ledger.canReserve(Int.max))
        #expect(refusal.description.hasPrefix("too large: 1001 MiB requested"))
        #expect(!refusal.isFragmentation)
    }

    @Test func notEnoughFreeMemorySaysHowMuchIsFree() throws {
        var ledger = Self.unpooled(1000)
        _ = try ledger.reserve(800, for: "a").get()
        let outcome = ledger.reserve(300, for: "b")
        let refusal = LedgerRefusal.insufficientMemory(
            requestedMiB: 300, grantedMiB: 300, freeMiB: 200, largestFreeBlockMiB: 200)
        #expect(outcome == .failure(refusal))
        #expect(!refusal.isFragmentation)
        #expect(
            refusal.description
                == "insufficient memory: 300 MiB needed (300 MiB requested) but only 200 MiB free; wait for a "
                + "release or place the job on another GPU")
        #expect(ledger.statistics.refusals == 1)
        #expect(ledger.statistics.fragmentedRefusals == 0)
    }

    @Test func fragmentationIsNamedAndDefragmentationSuggested() throws {
        var ledger = Self.unpooled(1000)
        for (owner, sizeMiB) in [("a", 300), ("b", 200), ("c", 300), ("d", 200)] {
            _ = try ledger.reserve(sizeMiB, for: LedgerOwner(owner)).get()
        }
        ledger.release("a")
        ledger.release("c")
        let refusal = LedgerRefusal.insufficientMemory(
            requestedMiB: 500, grantedMiB: 500, freeMiB: 600, largestFreeBlockMiB: 300)
        let outcome = ledger.reserve(500, for: "e")
        #expect(outcome == .failure(refusal))
        #expect(refusal.isFragmentation)
        #expect(
            refusal.description
                == "fragmented: 600 MiB free but the largest block is 300 MiB and 500 MiB is needed (500 MiB "
                + "requested); defragment or wait for a release")
        #expect(ledger.statistics.fragmentedRefusals == 1)
    }

    @Test func aRefusalLeavesTheLedgerUnchangedApartFromStatistics() throws {
        var ledger = Self.unpooled(1000)
        _ = try ledger.reserve(900, for: "a").get()
        let before = ledger
        _ = ledger.reserve(200, for: "b")
        #expect(ledger.reservations == before.reservations)
        #expect(ledger.freeRanges == before.freeRanges)
        #expect(ledger.statistics.refusals == before.statistics.refusals + 1)
    }

    @Test func refusalsAreTypedErrors() throws {
        var ledger = Self.unpooled(1000)
        #expect(throws: LedgerRefusal.invalidSize(requestedMiB: 0)) {
            try ledger.reserve(0, for: "a").get()
        }
    }
}

import GPUMemoryLedger
import Testing

@Suite("Overcommit")
struct OvercommitTests {
    @Test func virtualCapacityIsCapacityTimesTheRatio() throws {
        var ledger = GPUMemoryLedger(
            capacityMiB: 1000,
            configuration: LedgerConfiguration(strategy: .bestFit, overcommitRatio: 1.5, sizeClassesMiB: []))
        #expect(ledger.virtualCapacityMiB == 1500)
        #expect(ledger.freeMiB == 1500)

        _ = try ledger.reserve(1200, for: "a").get()
        #expect(ledger.overcommittedMiB == 200)
        #expect(ledger.freeMiB == 300)
        let outcome = ledger.reserve(400, for: "b")
        #expect(
            outcome
                == .failure(
                    .insufficientMemory(requestedMiB: 400, grantedMiB: 400, freeMiB: 300, largestFreeBlockMiB: 300))
        )
        _ = try ledger.reserve(300, for: "c").get()
        #expect(ledger.reservedMiB == 1500)
        #expect(!ledger.canReserve(1))
    }

    @Test func virtualCapacityRoundsDown() {
        let ledger = GPUMemoryLedger(
            capacityMiB: 1001, configuration: LedgerConfiguration(strategy: .firstFit, overcommitRatio: 1.5))
        #expect(ledger.virtualCapacityMiB == 1501)
    }

    @Test(arguments: [0.5, 0.0, -2.0, Double.nan, Double.infinity])
    func ratiosBelowOneOrNotFiniteMeanNoOvercommit(ratio: Double) {
        let ledger = GPUMemoryLedger(
            capacityMiB: 16384, configuration: LedgerConfiguration(strategy: .bestFit, overcommitRatio: ratio))
        #expect(ledger.configuration.overcommitRatio == 1.0)
        #expect(ledger.virtualCapacityMiB == 16384)
    }

    @Test func buddyArenaCoversTheVirtualCapacity() throws {
        var ledger = GPUMemoryLedger(
            capacityMiB: 1024,
            configuration: LedgerConfiguration(strategy: .buddy, overcommitRatio: 2.0, sizeClassesMiB: []))
        #expect(ledger.maximumBlockMiB == 2048)
        let whole = try ledger.reserve(2000, for: "a").get()
        #expect(whole.sizeMiB == 2048)
        #expect(ledger.overcommittedMiB == 1024)
    }

    @Test func aNegativeCapacityIsAnEmptyLedger() {
        let ledger = GPUMemoryLedger(capacityMiB: -10)
        #expect(ledger.capacityMiB == 0)
        #expect(ledger.virtualCapacityMiB == 0)
        #expect(ledger.freeRanges.isEmpty)
        #expect(!ledger.canReserve(1))
    }
}

import GPUMemoryLedger
import Testing

@Suite("Size-class pooling")
struct SizeClassPoolingTests {
    @Test func requestsUpToTheLargestClassRoundUpToTheSmallestClassThatHolds() {
        let ledger = GPUMemoryLedger(capacityMiB: 16384)
        #expect(ledger.grantedSize(forRequest: 1) == 256)
        #expect(ledger.grantedSize(forRequest: 256) == 256)
        #expect(ledger.grantedSize(forRequest: 257) == 512)
        #expect(ledger.grantedSize(forRequest: 1500) == 2048)
        #expect(ledger.grantedSize(forRequest: 4096) == 4096)
        #expect(ledger.grantedSize(forRequest: 4097) == 4097)
        #expect(ledger.grantedSize(forRequest: 0) == 0)
    }

    @Test func classesAreNormalizedBeforeUse() {
        let ledger = GPUMemoryLedger(
            capacityMiB: 16384,
            configuration: LedgerConfiguration(strategy: .firstFit, sizeClassesMiB: [1024, -5, 0, 256, 1024]))
        #expect(ledger.configuration.sizeClassesMiB == [256, 1024])
        #expect(ledger.grantedSize(forRequest: 300) == 1024)
    }

    @Test func noClassesMeansNoRounding() {
        let ledger = GPUMemoryLedger(
            capacityMiB: 16384, configuration: LedgerConfiguration(strategy: .bestFit, sizeClassesMiB: []))
        #expect(ledger.grantedSize(forRequest: 300) == 300)
    }

    @Test func theReservationKeepsBothTheRequestAndTheGrantedSize() throws {
        var ledger = GPUMemoryLedger(capacityMiB: 16384)
        let reservation = try ledger.reserve(300, for: "job").get()
        #expect(reservation.requestedMiB == 300)
        #expect(reservation.sizeMiB == 512)
        #expect(ledger.reservedMiB == 512)
    }

    @Test func aFreedBlockOfTheSameClassIsReusedWholeEvenByWorstFit() throws {
        var ledger = GPUMemoryLedger(capacityMiB: 8192, configuration: LedgerConfiguration(strategy: .worstFit))
        _ = try ledger.reserve(1000, for: "a").get()  // 1024 @0
        _ = try ledger.reserve(500, for: "b").get()  // 512 @1024
        ledger.release("a")
        #expect(ledger.statistics.poolHits == 0)

        let reused = try ledger.reserve(900, for: "c").get()
        #expect(reused.offsetMiB == 0)
        #expect(reused.sizeMiB == 1024)
        #expect(ledger.statistics.poolHits == 1)
        #expect(ledger.statistics.reservations == 3)
        #expect(ledger.statistics.poolHitRate == 1.0 / 3.0)
    }

    @Test func withoutPoolingWorstFitIgnoresTheSameBlock() throws {
        var ledger = GPUMemoryLedger(
            capacityMiB: 8192, configuration: LedgerConfiguration(strategy: .worstFit, sizeClassesMiB: []))
        _ = try ledger.reserve(1024, for: "a").get()
        _ = try ledger.reserve(512, for: "b").get()
        ledger.release("a")
        let placed = try ledger.reserve(1024, for: "c").get()
        #expect(placed.offsetMiB == 1536)
        #expect(ledger.statistics.poolHits == 0)
    }

    @Test func requestsAboveTheLargestClassAreNotPooled() throws {
        var ledger = GPUMemoryLedger(capacityMiB: 16384, configuration: LedgerConfiguration(strategy: .firstFit))
        let large = try ledger.reserve(5000, for: "a").get()
        #expect(large.sizeMiB == 5000)
        _ = try ledger.reserve(5000, for: "b").get()
        ledger.release("a")
        // A 5000 MiB hole exists, but first fit takes it because it is first, not because of pooling.
        let again = try ledger.reserve(5000, for: "c").get()
        #expect(again.offsetMiB == 0)
        #expect(ledger.statistics.poolHits == 1)
    }
}

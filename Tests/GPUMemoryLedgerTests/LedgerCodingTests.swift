import Foundation
import GPUMemoryLedger
import Testing

@Suite("Coding")
struct LedgerCodingTests {
    @Test(arguments: AllocationStrategy.allCases)
    func aLedgerSurvivesAJSONRoundTrip(strategy: AllocationStrategy) throws {
        var ledger = GPUMemoryLedger(
            capacityMiB: 24576, configuration: LedgerConfiguration(strategy: strategy, overcommitRatio: 1.25))
        for (index, sizeMiB) in [700, 1300, 300, 2500, 900].enumerated() {
            _ = try ledger.reserve(sizeMiB, for: LedgerOwner("job-\(index)")).get()
        }
        ledger.activate("job-1")
        ledger.release("job-2")

        let decoded = try JSONDecoder().decode(GPUMemoryLedger.self, from: JSONEncoder().encode(ledger))

        #expect(decoded == ledger)
        #expect(decoded.freeRanges == ledger.freeRanges)
        #expect(decoded.largestFreeBlockMiB == ledger.largestFreeBlockMiB)
    }

    @Test func valuesUseReadableNames() throws {
        let json = String(decoding: try JSONEncoder().encode(LedgerConfiguration.default), as: UTF8.self)
        #expect(json.contains(#""strategy":"best_fit""#))
        let owner = String(decoding: try JSONEncoder().encode(LedgerOwner("job-1")), as: UTF8.self)
        #expect(owner == #""job-1""#)
    }

    @Test func overlappingReservationsAreRejected() throws {
        let json = """
            {"capacityMiB": 1000, "configuration": {"strategy": "first_fit", "overcommitRatio": 1,
             "sizeClassesMiB": [], "buddyMinimumBlockMiB": 64},
             "reservations": [
               {"owner": "a", "offsetMiB": 0, "sizeMiB": 300, "requestedMiB": 300, "state": "active"},
               {"owner": "b", "offsetMiB": 200, "sizeMiB": 300, "requestedMiB": 300, "state": "pending"}]}
            """
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(GPUMemoryLedger.self, from: Data(json.utf8))
        }
    }

    @Test func misalignedBuddyBlocksAreRejected() throws {
        let json = """
            {"capacityMiB": 1024, "configuration": {"strategy": "buddy", "overcommitRatio": 1,
             "sizeClassesMiB": [], "buddyMinimumBlockMiB": 64},
             "reservations": [
               {"owner": "a", "offsetMiB": 64, "sizeMiB": 128, "requestedMiB": 100, "state": "active"}]}
            """
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(GPUMemoryLedger.self, from: Data(json.utf8))
        }
    }

    @Test func missingStatisticsDecodeAsZero() throws {
        let json = """
            {"capacityMiB": 1024, "configuration": {"strategy": "buddy", "overcommitRatio": 1,
             "sizeClassesMiB": [], "buddyMinimumBlockMiB": 64},
             "reservations": [
               {"owner": "a", "offsetMiB": 128, "sizeMiB": 128, "requestedMiB": 100, "state": "active"}]}
            """
        let ledger = try JSONDecoder().decode(GPUMemoryLedger.self, from: Data(json.utf8))
        #expect(ledger.statistics == LedgerStatistics())
        #expect(ledger.reservedMiB == 128)
        #expect(ledger.largestFreeBlockMiB == 512)
        #expect(ledger.freeRanges == [FreeRange(offsetMiB: 0, sizeMiB: 128), FreeRange(offsetMiB: 256, sizeMiB: 768)])
    }
}

import Foundation
import JobStoreConformance
import SpoolCore
import SpoolInMemoryStore
import Testing

@Suite struct InMemoryPlacementFeedTests {
    @Test(arguments: PlacementFeedConformance.Check.allCases)
    func conformance(_ check: PlacementFeedConformance.Check) async throws {
        try await PlacementFeedConformance.run(check, on: InMemoryJobStore(lifecycle: JobStoreConformance.lifecycle))
    }

    @Test func aReaderTheLogWasTrimmedPastIsToldOfTheGap() async throws {
        let store = InMemoryJobStore(lifecycle: JobStoreConformance.lifecycle, placementFeedCapacity: 2)
        let start = try await store.waitingSnapshot(pools: ["cpu"])
        _ = try await store.submit(JobStoreConformance.spec(), now: JobStoreConformance.at(0))
        // Within what the log keeps: read.
        let read = try #require(try await store.placementChanges(after: start.cursor, limit: 10))
        #expect(read.changes.count == 1)
        for n in 1...5 {
            _ = try await store.submit(JobStoreConformance.spec(), now: JobStoreConformance.at(Double(n)))
        }
        // Trimmed past both cursors: a gap, and a snapshot's cursor reads on.
        #expect(try await store.placementChanges(after: start.cursor, limit: 10) == nil)
        #expect(try await store.placementChanges(after: read.cursor, limit: 10) == nil)
        let snapshot = try await store.waitingSnapshot(pools: ["cpu"])
        #expect(snapshot.jobs.count == 6)
        #expect(try await store.placementChanges(after: snapshot.cursor, limit: 10)?.changes == [])
        // A cursor from another store (ahead of this log) is a gap too, not an empty read.
        #expect(try await store.placementChanges(after: PlacementFeedCursor(positions: ["99"]), limit: 10) == nil)
    }
}

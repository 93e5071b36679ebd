import Testing

@testable import SpoolRedis

/// When a shard's feed stream still covers a reader's cursor, from the stream's state alone.
@Suite struct PlacementFeedPositionTests {
    static func position(_ text: String) throws -> PlacementFeedPosition { try #require(PlacementFeedPosition(text)) }

    @Test func ordersAsRedisOrdersStreamIDs() throws {
        #expect(try Self.position("5-0") < Self.position("5-1"))
        #expect(try Self.position("5-9") < Self.position("10-0"))
        #expect(try Self.position("10-0").text == "10-0")
        #expect(PlacementFeedPosition("10") == nil)
        #expect(PlacementFeedPosition("a-1") == nil)
    }

    @Test func aCursorIsCoveredWhileItsEntryIsThere() throws {
        let cursor = try Self.position("100-3")
        let stream = PlacementFeedStream(lastGenerated: try Self.position("120-0"), entriesAdded: 50, length: 10)
        #expect(PlacementFeedPosition.covers(cursor, cursorEntryExists: true, stream: stream))
        // Its entry trimmed (or never there: a failover lost it) with entries after it: a gap.
        #expect(!PlacementFeedPosition.covers(cursor, cursorEntryExists: false, stream: stream))
        // Its entry trimmed, but nothing added since (the snapshot of an emptied stream): covered.
        let emptied = PlacementFeedStream(lastGenerated: cursor, entriesAdded: 50, length: 0)
        #expect(PlacementFeedPosition.covers(cursor, cursorEntryExists: false, stream: emptied))
        // The stream is gone.
        #expect(!PlacementFeedPosition.covers(cursor, cursorEntryExists: false, stream: nil))
    }

    @Test func theStartIsCoveredWhileNothingWasEverRemoved() throws {
        let whole = PlacementFeedStream(lastGenerated: try Self.position("120-0"), entriesAdded: 10, length: 10)
        #expect(PlacementFeedPosition.covers(.start, cursorEntryExists: false, stream: whole))
        #expect(PlacementFeedPosition.covers(.start, cursorEntryExists: false, stream: nil))
        let trimmed = PlacementFeedStream(lastGenerated: whole.lastGenerated, entriesAdded: 11, length: 10)
        #expect(!PlacementFeedPosition.covers(.start, cursorEntryExists: false, stream: trimmed))
    }
}

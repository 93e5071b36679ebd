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

    @Test func aCursorIsCoveredUntilTheStreamIsTrimmedPastItOrLost() throws {
        let cursor = try Self.position("100-3")
        let stream = (maxDeleted: try Self.position("90-0"), lastGenerated: try Self.position("120-0"))
        #expect(PlacementFeedPosition.covers(cursor, stream: stream))
        // Trimmed up to the cursor's own entry: nothing after it is missing.
        #expect(PlacementFeedPosition.covers(cursor, stream: (cursor, stream.lastGenerated)))
        // Trimmed past it.
        #expect(!PlacementFeedPosition.covers(cursor, stream: (try Self.position("100-4"), stream.lastGenerated)))
        // The stream ends before the cursor: it lost entries the reader saw.
        #expect(!PlacementFeedPosition.covers(cursor, stream: (stream.maxDeleted, try Self.position("100-2"))))
        // Gone: only the start of a stream is covered.
        #expect(!PlacementFeedPosition.covers(cursor, stream: nil))
        #expect(PlacementFeedPosition.covers(.start, stream: nil))
        #expect(!PlacementFeedPosition.covers(.start, stream: (try Self.position("1-0"), try Self.position("2-0"))))
    }
}

/// A position in a shard's placement feed: a Redis stream entry ID, `MILLISECONDS-SEQUENCE`, ordered as Redis
/// orders them. `0-0` is the start of a stream.
struct PlacementFeedPosition: Comparable, Sendable {
    var milliseconds: UInt64
    var sequence: UInt64

    static let start = PlacementFeedPosition(milliseconds: 0, sequence: 0)

    init(milliseconds: UInt64, sequence: UInt64) {
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let milliseconds = UInt64(parts[0]), let sequence = UInt64(parts[1]) else {
            return nil
        }
        self.init(milliseconds: milliseconds, sequence: sequence)
    }

    var text: String { "\(milliseconds)-\(sequence)" }

    static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.milliseconds, lhs.sequence) < (rhs.milliseconds, rhs.sequence)
    }

    /// Whether a stream still holds every entry after `cursor`. Redis trims a stream oldest first and keeps the
    /// highest ID it ever removed, so none after the cursor was removed when that ID is not past it; a stream that
    /// ends before the cursor, or is gone, lost entries the reader saw (a failover to a replica that never had them).
    /// `stream` is nil when the key does not exist.
    static func covers(
        _ cursor: PlacementFeedPosition,
        stream: (maxDeleted: PlacementFeedPosition, lastGenerated: PlacementFeedPosition)?
    ) -> Bool {
        guard let stream else { return cursor == .start }
        return stream.maxDeleted <= cursor && cursor <= stream.lastGenerated
    }
}

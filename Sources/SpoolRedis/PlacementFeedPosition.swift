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

    /// Whether a stream still holds every entry after `cursor`, from what was read after the entries were (so a
    /// change in between can only make a gap look likelier, costing a snapshot, never hide one). Redis trims a
    /// stream oldest first, so while the cursor's own entry is there none after it was trimmed; without it, the
    /// cursor is still covered when nothing was added after it (the snapshot of an emptied stream), and the start
    /// of a stream when nothing was ever removed. Anything else was trimmed past, or lost in a failover to a replica
    /// that never had the entry. `stream` is nil when the key does not exist.
    static func covers(_ cursor: PlacementFeedPosition, cursorEntryExists: Bool, stream: PlacementFeedStream?) -> Bool {
        if cursorEntryExists { return true }
        guard let stream else { return cursor == .start }
        if cursor == .start { return stream.entriesAdded == stream.length }
        return cursor == stream.lastGenerated
    }
}

/// What XINFO STREAM says of a shard's placement feed.
struct PlacementFeedStream: Sendable, Equatable {
    /// The last ID the stream handed out, kept when its entry is trimmed.
    var lastGenerated: PlacementFeedPosition
    /// Entries ever added, and entries held now: the difference were trimmed.
    var entriesAdded: Int
    var length: Int
}

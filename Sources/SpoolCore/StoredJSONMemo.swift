import Synchronization

/// Decoded copies of stored JSON documents, each reused while its text is unchanged. A scheduler reads every worker
/// record several times a second and a record's text changes only when its worker registers again, while decoding
/// one (its device inventory and ffmpeg's capability lists) was most of an idle server's CPU time.
public final class StoredJSONMemo<Value: Decodable & Sendable>: Sendable {
    struct Entry: Sendable {
        var text: String
        var value: Value
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// Past this many documents the memo starts over: a bound on its memory where documents come and go (jobs),
    /// paid for with one decode of each document still read.
    private let capacity: Int

    public init(capacity: Int = .max) {
        self.capacity = capacity
    }

    /// The document `key` decoded from `text`: the copy kept from the last call when `text` is the same.
    public func decode(_ text: String, key: String, what: @autoclosure () -> String) throws -> Value {
        if let kept = entries.withLock({ $0[key] }), kept.text == text { return kept.value }
        let value = try StoredJSON.decode(Value.self, from: text, what: what())
        remember(value, text: text, key: key)
        return value
    }

    /// Keeps `value` as the decoding of `text`, which `StoredJSON.encode` made from it: stored dates and numbers
    /// read back equal to what was written, so a document read right after its write is not decoded again.
    public func remember(_ value: Value, text: String, key: String) {
        entries.withLock { entries in
            if entries.count >= capacity && entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(text: text, value: value)
        }
    }

    /// Forgets the documents not in `keys` (those deleted since), so the memo holds no more than the store does.
    public func keepOnly(_ keys: Set<String>) {
        entries.withLock { entries in
            guard entries.count > keys.count || entries.keys.contains(where: { !keys.contains($0) }) else { return }
            entries = entries.filter { keys.contains($0.key) }
        }
    }
}

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

    public init() {}

    /// The document `key` decoded from `text`: the copy kept from the last call when `text` is the same.
    public func decode(_ text: String, key: String, what: String) throws -> Value {
        if let kept = entries.withLock({ $0[key] }), kept.text == text { return kept.value }
        let value = try StoredJSON.decode(Value.self, from: text, what: what)
        entries.withLock { $0[key] = Entry(text: text, value: value) }
        return value
    }

    /// Forgets the documents not in `keys` (those deleted since), so the memo holds no more than the store does.
    public func keepOnly(_ keys: Set<String>) {
        entries.withLock { entries in
            guard entries.count > keys.count || entries.keys.contains(where: { !keys.contains($0) }) else { return }
            entries = entries.filter { keys.contains($0.key) }
        }
    }
}

/// Keys in insertion order with O(1) append, removal and pop-first: the list behind each cache policy. Links are
/// kept in a dictionary, so there are no node objects to allocate.
@usableFromInline
struct LinkedKeySet<Key: Hashable> {
    @usableFromInline var links: [Key: (previous: Key?, next: Key?)] = [:]
    @usableFromInline var first: Key?
    @usableFromInline var last: Key?

    @inlinable init() {}

    @inlinable var count: Int { links.count }
    @inlinable var isEmpty: Bool { links.isEmpty }
    @inlinable func contains(_ key: Key) -> Bool { links[key] != nil }

    @inlinable
    mutating func append(_ key: Key) {
        // Already the last (a key used again and again): nothing moves.
        guard last != key else { return }
        remove(key)
        links[key] = (last, nil)
        if let last { links[last]?.next = key } else { first = key }
        last = key
    }

    @inlinable @discardableResult
    mutating func remove(_ key: Key) -> Bool {
        guard let link = links.removeValue(forKey: key) else { return false }
        if let previous = link.previous { links[previous]?.next = link.next } else { first = link.next }
        if let next = link.next { links[next]?.previous = link.previous } else { last = link.previous }
        return true
    }

    @inlinable
    mutating func popFirst() -> Key? {
        guard let key = first else { return nil }
        remove(key)
        return key
    }
}

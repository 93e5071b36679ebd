/// Keys in insertion order with O(1) append, removal and pop-first: the list behind each cache policy. Links are
/// kept in a dictionary, so there are no node objects to allocate.
struct LinkedKeySet<Key: Hashable> {
    private var links: [Key: (previous: Key?, next: Key?)] = [:]
    private(set) var first: Key?
    private(set) var last: Key?

    var count: Int { links.count }
    var isEmpty: Bool { links.isEmpty }
    func contains(_ key: Key) -> Bool { links[key] != nil }

    mutating func append(_ key: Key) {
        remove(key)
        links[key] = (last, nil)
        if let last { links[last]?.next = key } else { first = key }
        last = key
    }

    @discardableResult
    mutating func remove(_ key: Key) -> Bool {
        guard let link = links.removeValue(forKey: key) else { return false }
        if let previous = link.previous { links[previous]?.next = link.next } else { first = link.next }
        if let next = link.next { links[next]?.previous = link.previous } else { last = link.previous }
        return true
    }

    mutating func popFirst() -> Key? {
        guard let key = first else { return nil }
        remove(key)
        return key
    }
}

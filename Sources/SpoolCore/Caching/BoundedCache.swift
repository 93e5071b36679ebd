/// Which entry a full cache gives up.
public enum CachePolicy: String, Sendable, CaseIterable, Codable {
    /// Least recently used.
    case lru
    /// Least frequently used, the least recent among equals.
    case lfu
    /// Adaptive replacement (Megiddo and Modha): balances recency and frequency by itself, and a scan of one-off
    /// reads does not flush the entries read again and again.
    case arc
}

/// A cache of at most `capacity` values under one of three replacement policies. Pure and not thread-safe: wrap it
/// in a lock to share it.
///
/// Inlinable so that each user's module specializes it for its own keys and values: unspecialized, every hit looked
/// up generic metadata for the list's links, and a gateway's job cache spent 3 % of a GET on that.
public struct BoundedCache<Key: Hashable, Value> {
    public let capacity: Int
    public let policy: CachePolicy
    @usableFromInline var values: [Key: Value] = [:]
    // LRU: `recent` in use order. ARC: `recent` is T1 (seen once), `frequent` T2 (seen again), and the ghosts B1/B2
    // remember keys lately evicted from each. LFU: one list per use count.
    @usableFromInline var recent = LinkedKeySet<Key>()
    @usableFromInline var frequent = LinkedKeySet<Key>()
    @usableFromInline var recentGhosts = LinkedKeySet<Key>()
    @usableFromInline var frequentGhosts = LinkedKeySet<Key>()
    @usableFromInline var target = 0
    @usableFromInline var uses: [Key: Int] = [:]
    @usableFromInline var byUses: [Int: LinkedKeySet<Key>] = [:]
    @usableFromInline var fewestUses = 0

    @inlinable
    public init(capacity: Int, policy: CachePolicy) {
        self.capacity = max(capacity, 1)
        self.policy = policy
    }

    @inlinable
    public var count: Int { values.count }

    /// The value, counted as a use.
    @inlinable
    public mutating func value(for key: Key) -> Value? {
        guard let value = values[key] else { return nil }
        touch(key)
        return value
    }

    @inlinable
    public mutating func set(_ value: Value, for key: Key) {
        if values[key] != nil {
            values[key] = value
            touch(key)
            return
        }
        switch policy {
        case .lru:
            if values.count >= capacity, let victim = recent.popFirst() { values[victim] = nil }
            recent.append(key)
        case .lfu:
            if values.count >= capacity { evictLeastFrequent() }
            uses[key] = 1
            byUses[1, default: LinkedKeySet()].append(key)
            fewestUses = 1
        case .arc:
            admitARC(key)
        }
        values[key] = value
    }

    @inlinable
    public mutating func remove(_ key: Key) {
        guard values.removeValue(forKey: key) != nil else { return }
        recent.remove(key)
        frequent.remove(key)
        if let count = uses.removeValue(forKey: key) { byUses[count]?.remove(key) }
    }

    @inlinable
    mutating func touch(_ key: Key) {
        switch policy {
        case .lru:
            recent.append(key)
        case .lfu:
            let count = uses[key] ?? 0
            byUses[count]?.remove(key)
            if count == fewestUses, byUses[count]?.isEmpty ?? true { fewestUses = count + 1 }
            uses[key] = count + 1
            byUses[count + 1, default: LinkedKeySet()].append(key)
        case .arc:
            // A hit in T1 or T2 moves the key to the most recent end of T2, where a key hit twice in a row already is.
            guard frequent.last != key else { return }
            recent.remove(key)
            frequent.append(key)
        }
    }

    @inlinable
    mutating func evictLeastFrequent() {
        while byUses[fewestUses]?.isEmpty ?? true, fewestUses <= (uses.values.max() ?? 0) { fewestUses += 1 }
        guard let victim = byUses[fewestUses]?.popFirst() else { return }
        uses[victim] = nil
        values[victim] = nil
    }

    /// ARC's handling of a miss: a key remembered in a ghost list adapts the target size of T1 and goes to T2.
    @inlinable
    mutating func admitARC(_ key: Key) {
        if recentGhosts.contains(key) {
            target = min(capacity, target + max(frequentGhosts.count / max(recentGhosts.count, 1), 1))
            replaceARC(preferringFrequent: false)
            recentGhosts.remove(key)
            frequent.append(key)
            return
        }
        if frequentGhosts.contains(key) {
            target = max(0, target - max(recentGhosts.count / max(frequentGhosts.count, 1), 1))
            replaceARC(preferringFrequent: true)
            frequentGhosts.remove(key)
            frequent.append(key)
            return
        }
        if recent.count + recentGhosts.count >= capacity {
            if recent.count < capacity {
                _ = recentGhosts.popFirst()
                replaceARC(preferringFrequent: false)
            } else if let victim = recent.popFirst() {
                values[victim] = nil
            }
        } else if recent.count + frequent.count + recentGhosts.count + frequentGhosts.count >= capacity {
            if recent.count + frequent.count + recentGhosts.count + frequentGhosts.count >= 2 * capacity {
                _ = frequentGhosts.popFirst()
            }
            replaceARC(preferringFrequent: false)
        }
        recent.append(key)
    }

    @inlinable
    mutating func replaceARC(preferringFrequent: Bool) {
        guard recent.count + frequent.count >= capacity else { return }
        if !recent.isEmpty, recent.count > target || (preferringFrequent && recent.count == target) || frequent.isEmpty
        {
            if let victim = recent.popFirst() {
                values[victim] = nil
                recentGhosts.append(victim)
            }
        } else if let victim = frequent.popFirst() {
            values[victim] = nil
            frequentGhosts.append(victim)
        }
    }
}

import Testing

@testable import SpoolCore

/// The three replacement policies: never over capacity, never a wrong value, and each evicts what it should.
@Suite struct BoundedCacheTests {
    @Test(arguments: CachePolicy.allCases)
    func randomUseKeepsTheBoundAndTheValues(_ policy: CachePolicy) {
        var cache = BoundedCache<Int, Int>(capacity: 16, policy: policy)
        var truth: [Int: Int] = [:]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        for step in 0..<20_000 {
            let key = next() % 64
            switch next() % 10 {
            case 0..<5:
                if let value = cache.value(for: key) { #expect(truth[key] == value) }
            case 5..<9:
                cache.set(step, for: key)
                truth[key] = step
            default:
                cache.remove(key)
                truth[key] = nil
            }
            #expect(cache.count <= 16)
        }
    }

    @Test func lruEvictsTheLeastRecentlyUsed() {
        var cache = BoundedCache<String, Int>(capacity: 2, policy: .lru)
        cache.set(1, for: "a")
        cache.set(2, for: "b")
        _ = cache.value(for: "a")
        cache.set(3, for: "c")
        #expect(cache.value(for: "b") == nil && cache.value(for: "a") == 1 && cache.value(for: "c") == 3)
    }

    @Test func lfuEvictsTheLeastFrequentlyUsed() {
        var cache = BoundedCache<String, Int>(capacity: 2, policy: .lfu)
        cache.set(1, for: "a")
        cache.set(2, for: "b")
        for _ in 0..<3 { _ = cache.value(for: "a") }
        _ = cache.value(for: "b")
        cache.set(3, for: "c")
        #expect(cache.value(for: "b") == nil && cache.value(for: "a") == 1)
    }

    @Test func arcKeepsTheHotSetThroughAScan() {
        var arc = BoundedCache<Int, Int>(capacity: 10, policy: .arc)
        var lru = BoundedCache<Int, Int>(capacity: 10, policy: .lru)
        for round in 0..<5 {
            // The hot set is read twice per round (a job polled by its client), so it counts as frequent.
            for _ in 0..<2 {
                for key in 0..<5 {
                    if arc.value(for: key) == nil { arc.set(key, for: key) }
                    if lru.value(for: key) == nil { lru.set(key, for: key) }
                }
            }
            // A scan of one-off keys, as a listing would read them.
            for key in 0..<20 {
                arc.set(key, for: 1000 * (round + 1) + key)
                lru.set(key, for: 1000 * (round + 1) + key)
            }
        }
        let arcHot = (0..<5).filter { arc.value(for: $0) != nil }.count
        let lruHot = (0..<5).filter { lru.value(for: $0) != nil }.count
        #expect(arcHot == 5, "ARC kept \(arcHot) of the 5 hot keys")
        #expect(lruHot == 0)
    }
}

/// A min-heap of events by virtual time; ties pop in the order they were pushed, so runs replay exactly.
///
/// Every event has its own push number, so the order events pop in is fixed by their times and numbers alone,
/// whatever the heap's shape. The heap is four-ary and holds only the keys (time, number, where the payload is):
/// a fleet keeps a hundred thousand attempts in it, and sifting small keys through fewer levels touches far less
/// memory than sifting whole events through a binary heap did.
struct TimedHeap<Payload> {
    private struct Key {
        var time: Double
        var order: Int
        var slot: Int
    }

    private var keys: [Key] = []
    /// Payloads by slot; a popped event's slot is reused by a later push.
    private var payloads: [Payload?] = []
    private var freeSlots: [Int] = []
    private var pushed = 0

    var isEmpty: Bool { keys.isEmpty }
    var count: Int { keys.count }
    var earliest: Double? { keys.first?.time }

    mutating func push(_ payload: Payload, at time: Double) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            payloads[slot] = payload
        } else {
            slot = payloads.count
            payloads.append(payload)
        }
        let key = Key(time: time, order: pushed, slot: slot)
        pushed += 1
        // Sift up, moving parents down into the hole instead of swapping at every level.
        var child = keys.count
        keys.append(key)
        while child > 0 {
            let parent = (child - 1) / 4
            guard Self.precedes(key, keys[parent]) else { break }
            keys[child] = keys[parent]
            child = parent
        }
        keys[child] = key
    }

    /// Removes and returns the earliest event if it is due at `time` or before.
    mutating func pop(dueBy time: Double) -> (time: Double, payload: Payload)? {
        guard let first = keys.first, first.time <= time else { return nil }
        let last = keys.removeLast()
        if !keys.isEmpty {
            // Sift the last key down from the root, moving the earliest child up into the hole at each level.
            var parent = 0
            let count = keys.count
            while true {
                let firstChild = 4 * parent + 1
                guard firstChild < count else { break }
                var earliest = firstChild
                for child in (firstChild + 1)..<min(firstChild + 4, count)
                where Self.precedes(keys[child], keys[earliest]) {
                    earliest = child
                }
                guard Self.precedes(keys[earliest], last) else { break }
                keys[parent] = keys[earliest]
                parent = earliest
            }
            keys[parent] = last
        }
        let payload = payloads[first.slot].take()!
        freeSlots.append(first.slot)
        return (first.time, payload)
    }

    private static func precedes(_ lhs: Key, _ rhs: Key) -> Bool {
        lhs.time != rhs.time ? lhs.time < rhs.time : lhs.order < rhs.order
    }
}

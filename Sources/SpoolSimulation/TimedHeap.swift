/// A binary min-heap of events by virtual time; ties pop in the order they were pushed, so runs replay exactly.
struct TimedHeap<Payload> {
    private struct Entry {
        var time: Double
        var order: Int
        var payload: Payload
    }

    private var entries: [Entry] = []
    private var pushed = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var earliest: Double? { entries.first?.time }

    mutating func push(_ payload: Payload, at time: Double) {
        entries.append(Entry(time: time, order: pushed, payload: payload))
        pushed += 1
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(entries[child], entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest event if it is due at `time` or before.
    mutating func pop(dueBy time: Double) -> (time: Double, payload: Payload)? {
        guard let first = entries.first, first.time <= time else { return nil }
        entries.swapAt(0, entries.count - 1)
        entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count, precedes(entries[left], entries[smallest]) { smallest = left }
            if right < entries.count, precedes(entries[right], entries[smallest]) { smallest = right }
            if smallest == parent { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return (first.time, first.payload)
    }

    private func precedes(_ lhs: Entry, _ rhs: Entry) -> Bool {
        lhs.time != rhs.time ? lhs.time < rhs.time : lhs.order < rhs.order
    }
}

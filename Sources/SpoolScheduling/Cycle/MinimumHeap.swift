/// An element of a `MinimumHeap`: its key, read directly (a key path or a stored closure made every comparison an
/// indirect call, a tenth of the scheduling cycle's time in the placement benchmark).
protocol HeapKeyed {
    var heapKey: Int { get }
}

/// A binary heap that hands out its elements smallest key first; for merging sorted runs.
struct MinimumHeap<Element: HeapKeyed> {
    private var elements: [Element]

    init(_ elements: [Element]) {
        self.elements = elements
        for index in stride(from: elements.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    var minimum: Element? { elements.first }

    /// Puts `element` where the smallest was: one sift instead of a pop's and an insert's.
    mutating func replaceMinimum(with element: Element) {
        elements[0] = element
        siftDown(0)
    }

    mutating func popMinimum() -> Element? {
        guard !elements.isEmpty else { return nil }
        elements.swapAt(0, elements.count - 1)
        let minimum = elements.removeLast()
        siftDown(0)
        return minimum
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < elements.count else { return }
            let right = left + 1
            let smaller = right < elements.count && elements[right].heapKey < elements[left].heapKey ? right : left
            guard elements[smaller].heapKey < elements[parent].heapKey else { return }
            elements.swapAt(smaller, parent)
            parent = smaller
        }
    }
}

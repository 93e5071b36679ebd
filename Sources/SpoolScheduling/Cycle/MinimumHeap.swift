/// A binary heap that hands out its elements smallest key first; for merging sorted runs.
struct MinimumHeap<Element> {
    private var elements: [Element]
    private let key: (Element) -> Int

    init(_ elements: [Element], by key: @escaping (Element) -> Int) {
        self.elements = elements
        self.key = key
        for index in stride(from: elements.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    mutating func insert(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard key(elements[child]) < key(elements[parent]) else { break }
            elements.swapAt(child, parent)
            child = parent
        }
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
            let smaller = right < elements.count && key(elements[right]) < key(elements[left]) ? right : left
            guard key(elements[smaller]) < key(elements[parent]) else { return }
            elements.swapAt(smaller, parent)
            parent = smaller
        }
    }
}
